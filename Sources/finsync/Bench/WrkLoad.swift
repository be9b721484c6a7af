import Foundation

/// Drives one URL with wrk (Debian's `wrk`: concurrent keep-alive connections) and reads
/// its figures: requests/s and the 50th and 99th latency percentiles.
struct WrkLoad {
    struct Figures: Sendable {
        var requestsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var non2xx: Int
        /// Requests completed in the run.
        var requests: Int
    }

    var threads = 2
    var connections = 16
    var seconds = 10

    /// Where wrk is, or nil.
    static func locate() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/wrk"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    func run(_ wrk: String, url: String, token: String) throws -> Figures {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrk)
        p.arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency", "-H", "Authorization: Bearer \(token)", url]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return try Self.parse(String(decoding: data, as: UTF8.self))
    }

    /// Reads `N requests in`, `Requests/sec:`, the `Latency Distribution` lines and `Non-2xx or 3xx responses:`.
    static func parse(_ text: String) throws -> Figures {
        var rps: Double?, p50: Double?, p99: Double?, non2xx = 0, requests = 0
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), let v = parts.last.flatMap({ Double($0) }) { rps = v }
            if line.hasPrefix("50%"), parts.count == 2 { p50 = milliseconds(String(parts[1])) }
            if line.hasPrefix("99%"), parts.count == 2 { p99 = milliseconds(String(parts[1])) }
            if line.hasPrefix("Non-2xx or 3xx responses:"), let v = parts.last.flatMap({ Int($0) }) { non2xx = v }
            if parts.count > 2, parts[1] == "requests", parts[2] == "in", let v = Int(parts[0]) { requests = v }
        }
        guard let rps, let p50, let p99 else { throw IngestCommandError("could not read wrk's output:\n\(text)") }
        return Figures(requestsPerSecond: rps, p50Milliseconds: p50, p99Milliseconds: p99, non2xx: non2xx, requests: requests)
    }

    /// `812.00us`, `1.23ms`, `2.01s` in milliseconds.
    static func milliseconds(_ s: String) -> Double? {
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where s.hasSuffix(unit) {
            return Double(s.dropLast(unit.count)).map { $0 * factor }
        }
        return nil
    }
}
