import Synchronization

/// The server's own origin, known once the port is bound (for absolute `next` links).
final class PortBox: Sendable {
    private let storage = Mutex<String>("")
    var value: String { storage.withLock { $0 } }
    func set(_ v: String) { storage.withLock { $0 = v } }
}
