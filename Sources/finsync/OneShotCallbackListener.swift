import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Receives one browser redirect on 127.0.0.1 (the end of `finsync connect enablebanking`
/// when the application's `redirect_url` is `http://127.0.0.1:PORT/…` or `http://localhost:PORT/…`),
/// answers it with a short page, and returns the URL it was called with.
struct OneShotCallbackListener {
    let port: UInt16
    let base: String

    /// nil when `redirectURL` is not plain http on loopback (then the URL is pasted instead).
    init?(redirectURL: String) {
        guard let u = URLComponents(string: redirectURL), u.scheme == "http", ["127.0.0.1", "localhost"].contains(u.host ?? ""), let p = u.port, p > 0, p < 65536 else { return nil }
        port = UInt16(p)
        base = "http://\(u.host ?? "127.0.0.1"):\(p)"
    }

    /// Blocks (off the cooperative pool) until one request arrives.
    func waitForRedirect() async throws -> String {
        let port = self.port, base = self.base
        return try await Task.detached { () throws -> String in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw IngestCommandError("cannot open a socket for the redirect listener") }
            defer { close(fd) }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard bound == 0, listen(fd, 1) == 0 else { throw IngestCommandError("cannot listen on 127.0.0.1:\(port) (in use?); paste the redirect URL with --finish instead") }
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 16_384)
                let n = read(client, &buffer, buffer.count)
                let head = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self)
                let line = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
                let parts = line.split(separator: " ")
                let body = "finsync received the bank's answer; you can close this tab."
                let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                _ = reply.withCString { write(client, $0, strlen($0)) }
                close(client)
                if parts.count >= 2, parts[0] == "GET", parts[1].contains("state=") { return base + String(parts[1]) }
            }
        }.value
    }
}
