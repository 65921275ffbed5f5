// jsonata::Value: the immutable, cheaply shared value JSONata evaluates over.
//
// A Value is a small handle (kind + bool/number + one refcounted heap node).
// Copying a Value copies a shared_ptr; nodes are never changed once they are
// reachable from more than one place (the evaluator only fills nodes it has
// just created, and the transform operator mutates a fresh deep copy).
//
// Beyond JSON it carries what JSONata needs: `undefined` (distinct from
// null), functions, and array flags for sequences (sequence, keepSingleton,
// outerWrapper, tupleStream, cons). Objects keep insertion order, except
// that integer-like keys come first in numeric order, as JavaScript does.
// Strings are UTF-8 (WTF-8 for lone surrogates).
//
// Merge plan (one value type for JSONPath, JSONata, payload templates and
// history): today the other layers use stepfiber::Json (nlohmann
// ordered_json). The path is (1) move this header and value.cpp to `json/`
// as `stepfiber::Value`, minus the JSONata-only flags, which become a
// separate `Sequence` wrapper owned by the evaluator; (2) give it a simdjson
// builder (replacing from_json_text) and the AWS printer; (3) switch
// path/, payload templates and history one by one, with to_json()/from_json()
// as the bridge during the transition; (4) drop nlohmann from the engine
// path. Sharing nodes makes ResultPath merges and history snapshots copies of
// pointers instead of deep copies.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stepfiber/json.h"

namespace stepfiber::jsonata {

/// The kinds a JSONata value can have.
enum class Kind : std::uint8_t { kUndefined, kNull, kBoolean, kNumber, kString, kArray, kObject, kFunction };

/// Base of every heap node; the refcount lives in the shared_ptr.
struct HeapNode {
  virtual ~HeapNode() = default;
};

struct ArrayData;
struct ObjectData;
struct FunctionData;

/// One JSONata value. Cheap to copy; see the file comment.
class Value {
 public:
  Value() = default;  ///< undefined
  static Value null() { Value v; v.kind_ = Kind::kNull; return v; }
  static Value boolean(bool b) { Value v; v.kind_ = Kind::kBoolean; v.b_ = b; return v; }
  static Value number(double n) { Value v; v.kind_ = Kind::kNumber; v.n_ = n; return v; }
  static Value string(std::string s);
  static Value array(std::shared_ptr<ArrayData> a);
  static Value object(std::shared_ptr<ObjectData> o);
  static Value function(std::shared_ptr<FunctionData> f);
  /// A fresh empty array flagged as a sequence.
  static Value sequence();

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBoolean; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_function() const { return kind_ == Kind::kFunction; }

  bool as_bool() const { return b_; }
  double as_number() const { return n_; }
  const std::string& as_string() const;
  ArrayData& arr() const;  ///< valid only for arrays
  ObjectData& obj() const;  ///< valid only for objects
  FunctionData& fn() const;  ///< valid only for functions
  const std::shared_ptr<HeapNode>& node() const { return heap_; }

  /// True for a sequence array (JSONata's createSequence()).
  bool is_sequence() const;

 private:
  Kind kind_ = Kind::kUndefined;
  bool b_ = false;
  double n_ = 0;
  std::shared_ptr<HeapNode> heap_;
};

/// String node.
struct StringData : HeapNode {
  explicit StringData(std::string s) : str(std::move(s)) {}
  std::string str;
};

/// Array node with JSONata's sequence flags.
struct ArrayData : HeapNode {
  std::vector<Value> items;
  bool sequence = false;
  bool keep_singleton = false;
  bool outer_wrapper = false;
  bool tuple_stream = false;
  bool cons = false;
};

/// Object node: insertion order, integer-like keys first (JavaScript order).
struct ObjectData : HeapNode {
  /// Finds a key; nullptr when absent.
  const Value* find(std::string_view key) const;
  /// Sets (replacing in place) or inserts a key.
  void set(std::string_view key, Value v);
  /// Inserts a key the caller knows is absent (no lookup first).
  void insert_new(std::string_view key, Value v);
  /// Removes a key if present.
  void erase(std::string_view key);
  /// Rebuilds the lookup index after `entries` was assigned directly.
  void reindex();
  std::size_t size() const { return entries.size(); }

  std::vector<std::pair<std::string, Value>> entries;

 private:
  void rebuild_index();
  std::size_t int_keys_ = 0;
  // Maintained by set()/erase() once there are more than 8 keys, so that
  // find() never writes (objects are read from several threads). Copies of
  // the node share it until one of them rebuilds it.
  // Allocated only for objects of more than 8 keys.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const { return std::hash<std::string_view>()(k); }
  };
  using Index = std::unordered_map<std::string, std::size_t, KeyHash, std::equal_to<>>;
  std::shared_ptr<Index> index_;
};

/// Function node; the evaluator defines the concrete kinds.
struct FunctionData : HeapNode {};

/// A fresh array value.
Value make_array(std::vector<Value> items = {}, bool sequence = false);
/// A fresh empty object value.
Value make_object();

/// True for keys JavaScript orders first ("0", "42"; not "01" or "-1").
bool is_array_index_key(std::string_view key);

/// JavaScript's Number.prototype.toString (shortest round trip).
std::string number_to_js(double d);
/// JSON.stringify of Number(d.toPrecision(15)), as $string of a number in 2.0.6.
std::string number_to_js_precision15(double d);

/// Options for serialising values as JSON text.
struct StringifyOptions {
  bool precision15 = false;  ///< numbers as $string prints them
  bool pretty = false;       ///< two-space indentation (JSON.stringify(v, f, 2))
  bool nonfinite_tokens = false;  ///< print Infinity/NaN instead of null
};
/// JSON.stringify semantics: undefined members are skipped, functions print as
/// "", undefined array items print as null.
std::string stringify(const Value& v, const StringifyOptions& opts = {});

/// Deep equality as jsonata's isDeepEqual (object key order ignored).
bool deep_equal(const Value& a, const Value& b);

/// Converts from the project's JSON type.
Value from_json(const Json& j);
/// Converts to the project's JSON type (undefined -> null, functions -> "").
Json to_json(const Value& v);
/// Parses JSON text into a Value. Returns false (and sets *error) on bad input.
bool from_json_text(std::string_view text, Value* out, std::string* error);

/// Deep copy (for the transform operator): fresh array/object nodes.
Value deep_clone(const Value& v);

}  // namespace stepfiber::jsonata
