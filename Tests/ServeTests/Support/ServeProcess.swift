import AsyncHTTPClient
import FinsyncTestSupport
import Foundation
import NIOCore
import NIOHTTP1

/// A real `finsync serve` process on an ephemeral port, against a test database.
final class ServeProcess: Sendable {
    let process: Process
    let stdout: URL
    let stderr: URL
    let port: Int
    let arguments: [String]
    nonisolated(unsafe) private var ended: FinsyncRun?

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(process: Process, stdout: URL, stderr: URL, port: Int, arguments: [String]) {
        self.process = process
        self.stdout = stdout
        self.stderr = stderr
        self.port = port
        self.arguments = arguments
    }

    /// Starts `finsync serve --port 0 <extra>` and waits until it says where it listens.
    static func start(_ database: TestDatabase, _ extra: [String] = ["--no-schedule"], directory: ScratchDirectory) async throws -> ServeProcess {
        let args = ["serve", "--port", "0", "--token-cache-seconds", "0"] + extra
        let (p, out, err) = try FinsyncExecutable.start(args, environment: ["DATABASE_URL": database.configuration.connectionString], directory: directory.url)
        // Wait for the line naming the port (or for the process to end): a condition, not a time.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("finsync serve: listening on http://") }),
               let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                return ServeProcess(process: p, stdout: out, stderr: err, port: port, arguments: args)
            }
            if !p.isRunning {
                let run = FinsyncExecutable.finish(p, arguments: args, stdout: out, stderr: err)
                throw ServeTestError("finsync serve ended before listening: \(run)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        p.terminate()
        throw ServeTestError("finsync serve did not start listening")
    }

    /// Sends SIGTERM and waits for the process to end.
    @discardableResult
    func stop() async -> FinsyncRun {
        if let ended { return ended }
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        await FinsyncExecutable.waitForExit(process)
        let run = FinsyncExecutable.finish(process, arguments: arguments, stdout: stdout, stderr: stderr)
        ended = run
        return run
    }

    /// Runs `body` with a started server, stopping it whatever happens.
    static func with<T: Sendable>(_ database: TestDatabase, _ extra: [String] = ["--no-schedule"], _ body: (ServeProcess) async throws -> T) async throws -> T {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let server = try await start(database, extra, directory: dir)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// One request; the whole body is read.
    func request(_ path: String, method: HTTPMethod = .GET, token: String? = nil, headers: [(String, String)] = [], body: String? = nil) async throws -> APIResponse {
        var req = HTTPClientRequest(url: baseURL + path)
        req.method = method
        if let token { req.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let body {
            req.headers.add(name: "Content-Type", value: "application/json")
            req.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(req, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return APIResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: bytes))
    }
}

/// An answer of the API.
struct APIResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }

    /// `items` of a list answer.
    var items: [[String: Any]] { (json["items"] as? [[String: Any]]) ?? [] }
}

struct ServeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
