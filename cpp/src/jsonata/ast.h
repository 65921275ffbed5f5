// The JSONata syntax tree: one Node shape for the Pratt parser's output and
// for the processed tree (jsonata-js processAST) the evaluator walks.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jsonata/value.h"

namespace stepfiber::jsonata {

class Signature;
class Regex;

/// Node kinds (jsonata-js `type` strings).
enum class NodeType : std::uint8_t {
  kEnd, kOperator, kName, kVariable, kString, kNumber, kValue, kRegex,
  kBinary, kUnary, kWildcard, kDescendant, kParent, kFunction, kPartial, kLambda,
  kBlock, kCondition, kTransform, kPath, kBind, kApply, kSort,
};

struct Node;

/// Ancestor slot of the parent operator `%`.
struct Slot {
  std::string label;  ///< "!N": the tuple binding that carries the ancestor
  int level = 1;
  int index = 0;
};

/// A predicate filter or an index bind (`#$i`) attached to a step.
struct Stage {
  bool is_index = false;
  Node* expr = nullptr;   ///< the filter expression
  std::string value;      ///< index variable name
  int position = 0;
};

/// One order-by term of `^(...)`.
struct SortTerm {
  bool descending = false;
  Node* expression = nullptr;
};

/// Group-by / object constructor pairs.
struct Group {
  std::vector<std::pair<Node*, Node*>> pairs;
  int position = 0;
};

/// One syntax tree node; fields are used according to `type`.
struct Node {
  NodeType type = NodeType::kEnd;
  std::string value;        ///< operator symbol, name, variable name, string literal
  Value literal;            ///< literal value for kString/kNumber/kValue
  int position = 0;

  Node* lhs = nullptr;
  Node* rhs = nullptr;
  Node* expression = nullptr;         ///< unary '-'
  std::vector<Node*> expressions;     ///< array constructor, block
  std::vector<std::pair<Node*, Node*>> pairs;  ///< object constructor ('{' unary / binary rhs)
  std::vector<SortTerm> sort_terms;   ///< '^' binary (parser) / kSort (processed)
  Node* condition = nullptr;
  Node* then = nullptr;
  Node* otherwise = nullptr;
  Node* procedure = nullptr;
  std::vector<Node*> arguments;
  Node* body = nullptr;
  std::shared_ptr<const Signature> signature;
  bool thunk = false;
  Node* pattern = nullptr;
  Node* update = nullptr;
  Node* del = nullptr;
  std::shared_ptr<const Regex> regex;

  // processed-tree fields
  std::vector<Node*> steps;
  std::vector<Stage> stages;
  std::vector<Stage> predicate;
  std::unique_ptr<Group> group;
  std::string focus;
  std::string index;
  bool has_focus = false;
  bool has_index = false;
  bool tuple = false;
  Slot* ancestor = nullptr;
  Slot* slot = nullptr;                 ///< kParent
  std::vector<Slot*> seeking_parent;
  bool has_seeking_parent = false;
  bool keep_array = false;
  bool keep_singleton_array = false;
  bool consarray = false;
  std::string next_function;
};

/// Owns every node and slot of one compiled expression.
struct Ast {
  Node* root = nullptr;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::unique_ptr<Slot>> slots;
  Node* make() {
    nodes.push_back(std::make_unique<Node>());
    return nodes.back().get();
  }
};

/// Parser limits.
struct ParseOptions {
  int max_depth = 400;  ///< nesting depth of the expression (S0201-like error past it)
};

/// Parses and processes an expression; throws ErrorException (S0xxx).
std::unique_ptr<Ast> parse(std::string_view source, const ParseOptions& options = {});

}  // namespace stepfiber::jsonata
