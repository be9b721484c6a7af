import Foundation

/// Whether the account holder is present for a `finsync sync` run, which decides whether
/// Enable Banking's PSU headers are sent (``Ingest/EnableBankingPSUHeaders``).
///
/// A person is present when the run was started by hand from a terminal: standard input is
/// a terminal, and neither `--scheduled` nor `--background` was given. A systemd timer, cron,
/// `finsync schedule`, `finsync serve` (its schedule and `POST /v1/sync`) and a script with
/// its input redirected are background fetches: claiming a present person there would be false.
enum PersonPresence {
    static func decide(scheduled: Bool, background: Bool, stdinIsTerminal: Bool) -> Bool {
        !scheduled && !background && stdinIsTerminal
    }

    /// ``decide(scheduled:background:stdinIsTerminal:)`` for this process.
    static func current(scheduled: Bool, background: Bool) -> Bool {
        decide(scheduled: scheduled, background: background, stdinIsTerminal: isatty(STDIN_FILENO) == 1)
    }
}
