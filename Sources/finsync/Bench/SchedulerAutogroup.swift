import Foundation

/// Linux's scheduler autogroups, which decide this benchmark's tail latency more than the
/// server does.
///
/// With `kernel.sched_autogroup_enabled=1`, the CPU is shared fairly between sessions before
/// threads. PostgreSQL starts every backend in a session of its own (`setsid`), so when the
/// server, the load generator and the database share the machine, each backend weighs as
/// much as the whole server, and threads queue behind whole groups: on the 2-core machine
/// this was measured, the transactions pages' p99 was 40–43 ms with autogroups and 16–17 ms
/// without, at the same throughput. Services under systemd or in containers are scheduled
/// by their cgroups, where autogroups do not apply. The benchmark reports the setting; it
/// never changes it.
enum SchedulerAutogroup {
    /// The setting, or nil where the kernel has none.
    static var enabled: Bool? {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/sched_autogroup_enabled", encoding: .utf8) else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines) != "0"
    }

    static let note = """
        note: kernel.sched_autogroup_enabled=1 — every PostgreSQL backend is a scheduling group as large as the whole
              server, so with everything on one machine the p99 figures carry the scheduler's queueing (see
              docs/ARCHITECTURE.md, "Latency and the scheduler"); under systemd or in a container, cgroups schedule instead.
        """
}
