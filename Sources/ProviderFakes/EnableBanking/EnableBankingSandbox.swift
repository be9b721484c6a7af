import _CryptoExtras
import Foundation

/// The sandbox's Enable Banking: a fake API serving the standard scenario for an
/// application whose key pair is generated for this process only (nothing is written until
/// the caller writes ``privateKeyPEM`` to a private file for the configuration to name).
public struct EnableBankingSandbox: Sendable {
    public static let applicationID = "00000000-0000-4000-8000-0000000000eb"
    public static let redirectURL = "https://127.0.0.1:8765/callback"
    public let server: FakeEnableBankingServer
    public let privateKeyPEM: String

    public static func start() async throws -> EnableBankingSandbox {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let scenario = FakeEnableBankingScenario.standard(applicationID: applicationID, publicKeyPEM: key.publicKey.pemRepresentation, redirectURLs: [redirectURL])
        return EnableBankingSandbox(server: try await FakeEnableBankingServer.start(scenario: scenario), privateKeyPEM: key.pemRepresentation)
    }

    public func stop() async { await server.stop() }
}
