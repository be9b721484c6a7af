import CanonicalJSON
import Foundation
import Hummingbird

/// A local GoCardless Bank Account Data API (v2) on 127.0.0.1, serving a
/// ``GoCardlessScenario``: tokens (JWTs with `exp`, 401 "Invalid token" when expired),
/// institutions, agreements, paginated requisitions (absolute `next` URLs), accounts,
/// details, balances and transactions (filtered on booking *or* value date), per-account
/// per-scope success quotas (429 `RateLimitError` + `HTTP_X_RATELIMIT_*` headers), expired
/// agreements (401), suspension (409) and injected faults (5xx, malformed bodies, delays).
public final class FakeGoCardlessServer: Sendable {
    public let scenario: GoCardlessScenario
    /// e.g. `http://127.0.0.1:54321/api/v2`.
    public let baseURL: String
    public let port: Int
    private let server: FakeProviderServer

    private init(scenario: GoCardlessScenario, server: FakeProviderServer) {
        self.scenario = scenario
        self.server = server
        self.port = server.port
        self.baseURL = "\(server.baseURL)/api/v2"
    }

    /// Starts a server on an ephemeral loopback port and returns once it accepts connections.
    public static func start(scenario: GoCardlessScenario) async throws -> FakeGoCardlessServer {
        let origin = PortBox()
        let server = try await FakeProviderServer.start(name: "fake-gocardless") { request in
            await FakeGoCardlessRouter(scenario: scenario, origin: origin.value).respond(to: request)
        }
        origin.set(server.baseURL)
        return FakeGoCardlessServer(scenario: scenario, server: server)
    }

    /// Stops the server and waits until it has.
    public func stop() async { await server.stop() }
}
