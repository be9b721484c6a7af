import Foundation

/// The one-command demo's bank: the fake GoCardless server with the standard scenario on
/// 127.0.0.1, and the fake credentials that open it.
///
/// ```swift
/// let sandbox = try await GoCardlessSandbox.start()
/// // point [gocardless] base_url at sandbox.baseURL, secrets sandbox.secretID / sandbox.secretKey
/// await sandbox.stop()
/// ```
public struct GoCardlessSandbox: Sendable {
    public let server: FakeGoCardlessServer
    public var baseURL: String { server.baseURL }
    public var secretID: String { server.scenario.secretID }
    public var secretKey: String { server.scenario.secretKey }
    public var scenario: GoCardlessScenario { server.scenario }

    /// Starts the fake with ``GoCardlessScenario/standard(secretID:secretKey:accountQuota:maxPageSize:start:)``.
    /// The demo quota is generous (100 a day) so repeated demo runs keep working.
    public static func start(accountQuota: Int = 100) async throws -> GoCardlessSandbox {
        let scenario = GoCardlessScenario.standard(secretID: "sandbox-secret-id", secretKey: "sandbox-secret-key", accountQuota: accountQuota)
        return GoCardlessSandbox(server: try await FakeGoCardlessServer.start(scenario: scenario))
    }

    public func stop() async { await server.stop() }
}
