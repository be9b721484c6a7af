import Foundation
import Logging
import OpenAPIRuntime
import Postgres

/// The API's operations (the `APIProtocol` generated from `openapi.yaml`), answered from
/// the unified and analytics tables through a ``ConnectionPool``. One extension per
/// resource group; the routing, parameter decoding and JSON shapes are generated.
struct APIHandlers: APIProtocol {
    let pool: ConnectionPool
    /// Starts sync runs (`POST /v1/sync`); nil when the server was started without providers.
    let sync: SyncLauncher?
    /// Starts GoCardless connections (`POST /v1/connections`); nil without `[gocardless]`.
    let consent: ConsentStarter?
    /// Starts and finishes Enable Banking connections; nil without `[[enablebanking]]`.
    var enableBanking: EnableBankingConnector? = nil
    let readiness: Readiness
    let logger: Logger

    func getHealthz(_ input: Operations.GetHealthz.Input) async throws -> Operations.GetHealthz.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func getReadyz(_ input: Operations.GetReadyz.Input) async throws -> Operations.GetReadyz.Output {
        let checks = await readiness.check(pool)
        let body = Components.Schemas.Readiness(ready: checks.allSatisfy(\.ok), checks: checks)
        return body.ready ? .ok(.init(body: .json(body))) : .serviceUnavailable(.init(body: .json(body)))
    }
}
