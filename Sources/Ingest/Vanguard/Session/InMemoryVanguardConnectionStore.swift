import Foundation

/// A per-process store (dry runs, tests).
public actor InMemoryVanguardConnectionStore: VanguardConnectionStore {
    private var states: [String: VanguardConnectionState] = [:]

    public init() {}

    public func state(of name: String) async throws -> VanguardConnectionState? { states[name] }

    public func all() async throws -> [VanguardConnectionState] { states.values.sorted { $0.name < $1.name } }

    public func register(name: String, sessionPath: String, sessionSHA256: String) async throws {
        states[name] = VanguardConnectionState(name: name, sessionPath: sessionPath, sessionSHA256: sessionSHA256, status: "active",
                                               rejectedSHA256: states[name]?.rejectedSHA256, message: "")
    }

    public func markAuthRequired(name: String, sessionSHA256: String, message: String) async throws {
        var s = states[name] ?? VanguardConnectionState(name: name, sessionPath: "", sessionSHA256: sessionSHA256, status: "", rejectedSHA256: nil, message: "")
        s.status = "auth_required"; s.rejectedSHA256 = sessionSHA256; s.message = message
        states[name] = s
    }
}
