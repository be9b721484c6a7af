import Foundation

/// What one run of the `finsync` executable did.
public struct FinsyncRun: Sendable, CustomStringConvertible {
    public var arguments: [String]
    public var status: Int32
    /// Whether it ended by exiting (false: killed by a signal, e.g. a Swift fatal error).
    public var exited: Bool
    public var stdout: String
    public var stderr: String
    public var output: String { stdout + stderr }
    public var description: String { "finsync \(arguments.joined(separator: " ")) → \(exited ? "exit" : "signal") \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the real, built `finsync` executable (the one `swift build` put beside this test
/// bundle) as a subprocess with exactly the environment a test gives it: nothing of the
/// test's own `DATABASE_URL`, `PG*` or `FINSYNC_*` leaks in.
public enum FinsyncExecutable {
    /// `$FINSYNC_EXECUTABLE`, else `finsync` in the directory of the running test binary.
    public static let url: URL = {
        if let e = ProcessInfo.processInfo.environment["FINSYNC_EXECUTABLE"], !e.isEmpty { return URL(fileURLWithPath: e) }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        // macOS-style bundles nest the binary (…/X.xctest/Contents/MacOS/X).
        for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("finsync").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("finsync")
    }()

    /// The part of the test's environment a command needs to run at all (no settings).
    public static var baseEnvironment: [String: String] {
        let env = ProcessInfo.processInfo.environment
        var out: [String: String] = ["LANG": "C.UTF-8"]
        for key in ["PATH", "HOME", "TMPDIR", "USER"] { if let v = env[key] { out[key] = v } }
        return out
    }

    /// Starts `finsync arguments…` in `directory` with `baseEnvironment` plus `environment`.
    public static func start(_ arguments: [String], environment: [String: String] = [:], directory: URL) throws -> (Process, stdout: URL, stderr: URL) {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        p.environment = baseEnvironment.merging(environment) { $1 }
        p.currentDirectoryURL = directory
        let tag = UUID().uuidString
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("finsync-cli-\(tag).out")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("finsync-cli-\(tag).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    /// Runs `finsync arguments…` to completion.
    public static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL) async throws -> FinsyncRun {
        guard FileManager.default.isExecutableFile(atPath: url.path) else { throw FinsyncExecutableMissing(path: url.path) }
        let (p, out, err) = try start(arguments, environment: environment, directory: directory)
        await waitForExit(p)
        return finish(p, arguments: arguments, stdout: out, stderr: err)
    }

    /// Waits for `p` to end without holding a cooperative thread.
    public static func waitForExit(_ p: Process) async {
        nonisolated(unsafe) let process = p
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { process.waitUntilExit(); cont.resume() }
        }
    }

    /// The outcome of a process that has ended; removes its output files.
    public static func finish(_ p: Process, arguments: [String], stdout: URL, stderr: URL) -> FinsyncRun {
        defer { try? FileManager.default.removeItem(at: stdout); try? FileManager.default.removeItem(at: stderr) }
        let o = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
        let e = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        return FinsyncRun(arguments: arguments, status: p.terminationStatus, exited: p.terminationReason == .exit, stdout: o, stderr: e)
    }
}

/// A private working directory for one test (its own `finsync.toml`), removed afterwards.
public struct ScratchDirectory: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("finsync-cli-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the directory; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
        return file.path
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The built `finsync` executable is not where the tests look for it.
public struct FinsyncExecutableMissing: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "build finsync first (swift build --build-tests); looked for \(path)" }
}
