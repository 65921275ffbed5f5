// RedriveExecution, and the redrive fields DescribeExecution reports
// (redriveStatus / redriveStatusReason). The restart itself is
// engine::Core::redrive (engine/redrive.cpp).
#include <memory>

#include "api/handlers.h"
#include "api/redrive.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"
#include "engine/frame.h"

namespace stepfiber::api {
namespace {

/// AWS: an execution can be redriven for 14 days after it closed.
constexpr runtime::Millis kRedrivableMs = 14LL * 24 * 3600 * 1000;
/// clientToken idempotency: the last 10 tokens, for 15 minutes.
constexpr std::size_t kRememberedTokens = 10;
constexpr runtime::Millis kTokenLifeMs = 15LL * 60 * 1000;
/// How many engine rounds a redrive waits for a stopped execution's fiber
/// to unwind before it gives up.
constexpr int kMaxUnwindRounds = 1000;

Status not_redrivable(const std::string& reason) { return Status(ErrorCode::kExecutionNotRedrivable, reason); }

}  // namespace

std::optional<std::string> not_redrivable_reason(const engine::Core& core, const engine::Execution& ex) {
  using engine::ExecutionStatus;
  if (ex.status == ExecutionStatus::kRunning) return "Execution is RUNNING and cannot be redriven";
  if (ex.status == ExecutionStatus::kSucceeded) return "Execution is SUCCEEDED and cannot be redriven";
  if (ex.history.last_id() >= engine::kMaxHistoryEvents - 1) return "Execution history event limit exceeded";
  if (core.now() - ex.stop > kRedrivableMs) return "Execution redrivable period exceeded";
  return std::nullopt;
}

namespace handlers {
namespace {

struct RedriveRun {
  std::string arn;
  std::optional<std::string> token;
  Done done;
  int rounds = 0;
};

void finish_redrive(Context c, std::shared_ptr<RedriveRun> run) {
  engine::Execution* ex = c.core.executions.find(run->arn);
  if (ex == nullptr) {
    run->done(Status(ErrorCode::kExecutionDoesNotExist, "Execution Does Not Exist: '" + run->arn + "'"));
    return;
  }
  if (auto reason = not_redrivable_reason(c.core, *ex)) {
    run->done(not_redrivable(*reason));
    return;
  }
  if (!ex->fiber_done) {
    // Stopped a moment ago: its fiber is still unwinding.
    if (++run->rounds > kMaxUnwindRounds) {
      run->done(not_redrivable("Execution is still being stopped and cannot be redriven yet"));
      return;
    }
    c.core.after_round([c, run]() mutable { finish_redrive(c, run); });
    return;
  }
  Status st = c.core.redrive(*ex);
  if (!st.ok()) {
    run->done(st);
    return;
  }
  engine::ExecutionExtra& x = ex->extra();
  if (run->token) {
    x.redrive_tokens.emplace_back(*run->token, x.redrive_date);
    if (x.redrive_tokens.size() > kRememberedTokens) x.redrive_tokens.erase(x.redrive_tokens.begin());
  }
  run->done(Json{{"redriveDate", timestamp(x.redrive_date)}});
}

}  // namespace

void redrive_execution(Context& c, const Json& r, Done done) {
  const std::string arn = str(r, "executionArn");
  if (Status st = engine::validate_arn(arn, "execution"); !st.ok()) {
    done(st);
    return;
  }
  engine::Execution* ex = c.core.executions.find(arn);
  if (ex == nullptr) {
    done(Status(ErrorCode::kExecutionDoesNotExist, "Execution Does Not Exist: '" + arn + "'"));
    return;
  }
  if (ex->express) {
    done(not_redrivable("Execution of an EXPRESS state machine cannot be redriven"));
    return;
  }
  auto token = opt_string(r, "clientToken");
  if (token) {
    // A token seen in the last 15 minutes repeats that redrive's answer.
    if (const engine::ExecutionExtra* x = ex->extra_if()) {
      for (const auto& [seen, when] : x->redrive_tokens) {
        if (seen == *token && c.core.now() - when < kTokenLifeMs) {
          done(Json{{"redriveDate", timestamp(x->redrive_date)}});
          return;
        }
      }
    }
  }
  auto run = std::make_shared<RedriveRun>();
  run->arn = arn;
  run->token = std::move(token);
  run->done = std::move(done);
  finish_redrive(c, run);
}

}  // namespace handlers
}  // namespace stepfiber::api
