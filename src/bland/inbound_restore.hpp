#pragma once
// Pointing an inbound number at a listener for a while, and always putting it back.
//
// `listen --inbound-number` changes a number's webhook on the user's Bland account. Before each
// change a pending restore is written to the state directory (0600, atomically), so that a crash
// or SIGKILL never leaves the number pointing at a dead listener: the next `listen` start, or
// `blandhook inbound restore`, finds the record, sees that its process is gone and puts the old
// URL back. A number whose webhook was changed by someone else in the meantime is left alone.
#include "bland/calls_api.hpp"
#include "error.hpp"
#include "util/non_copyable.hpp"

#include <functional>
#include <string>
#include <vector>

namespace blandhook::bland {

/// One number lent to a listener: what to put back, and who holds it.
struct PendingRestore {
    std::string number;           ///< E.164
    std::string api_url;          ///< the API the change was made on (Bland or the emulator)
    std::string previous_webhook; ///< "" when the number had none
    std::string webhook;          ///< what blandhook set: the listener's public URL
    int pid = 0;                  ///< the listener process
    std::string since;            ///< ISO time of the change
    std::string path;             ///< the record's file
};

/// $XDG_STATE_HOME/blandhook/inbound (else ~/.local/state/blandhook/inbound): next to the
/// capture log, where listen keeps its state.
std::string default_restore_dir();

/// The records of one state directory. Every write replaces a file atomically (temp + rename).
class RestoreLedger {
public:
    explicit RestoreLedger(std::string dir = default_restore_dir());

    /// Writes (or replaces) the record of `restore.number` on `restore.api_url`; fills `path`.
    /// Throws Error (internal) when the state directory cannot be written: no change is made then.
    void record(PendingRestore& restore) const;
    /// Deletes a record written by record().
    void remove(const PendingRestore& restore) const;
    /// Every record, oldest first. Unreadable files are reported through `problem` and skipped.
    std::vector<PendingRestore>
    list(const std::function<void(const std::string& problem)>& problem = {}) const;

    const std::string& dir() const { return m_dir; }

private:
    std::string m_dir;
};

/// True while process `pid` exists and is a blandhook (checked through /proc where there is one).
bool listener_alive(int pid);

/// What happened to one number on restore.
struct RestoreOutcome {
    std::string number;
    bool ok = false; ///< false: an API error; the record is kept for a later attempt
    ErrorKind error = ErrorKind::api; ///< the failure's kind when not ok
    std::string detail;               ///< "restored to URL", "left as is: …", or the error
};

/// Puts `restore.previous_webhook` back when the number still points at `restore.webhook`, then
/// deletes the record. `key` and `insecure` are used against the record's own API URL.
RestoreOutcome restore_one(const PendingRestore& restore, const RestoreLedger& ledger,
                           const std::string& key, bool insecure);

/// Repairs every record whose listener is gone (all of them with `include_live`).
/// `skipped` receives the records left because their listener still runs.
std::vector<RestoreOutcome> repair_pending(const RestoreLedger& ledger, const std::string& key,
                                           bool insecure, bool include_live,
                                           std::vector<PendingRestore>* skipped = nullptr);

/// Points numbers at a webhook URL for the lifetime of the object's owner, and back on restore().
class InboundTakeover : util::NonCopyable {
public:
    InboundTakeover(ApiOptions api, RestoreLedger ledger);
    /// Calls restore(): a number is never left pointing at a listener that is gone.
    ~InboundTakeover();

    /// For each number: reads its webhook, refuses (Error usage) when another running listener
    /// holds it unless `force`, records the pending restore, then points it at `webhook`.
    /// `progress` gets one line per number: "NUMBER: OLD -> NEW". On an error the numbers taken
    /// so far stay taken until restore().
    void take(const std::vector<std::string>& numbers, const std::string& webhook, bool force,
              const std::function<void(const std::string&)>& progress);
    /// Puts every taken number back; idempotent.
    std::vector<RestoreOutcome> restore();

private:
    ApiOptions m_api;
    RestoreLedger m_ledger;
    std::vector<PendingRestore> m_taken;
};

} // namespace blandhook::bland
