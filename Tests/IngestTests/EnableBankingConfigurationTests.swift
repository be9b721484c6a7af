import Foundation
import Ingest
import Testing

@Suite("Enable Banking configuration")
struct EnableBankingConfigurationTests {
    @Test("[[enablebanking]] names the application id and the key file; the key itself is refused in the file")
    func parses() throws {
        let key = try EnableBankingHarness.throwawayKey()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eb-conf-\(UUID().uuidString).pem").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(key.pemRepresentation.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try FinsyncConfiguration.parse("""
            [[enablebanking]]
            application_id = "\(EnableBankingHarness.applicationID)"
            private_key_file = "\(path)"
            redirect_url = "https://finsync.example.org/callback"
            pending = true
            """, environment: [:])
        #expect(c.readProblems.isEmpty)
        #expect(c.validate().isEmpty)
        let eb = try #require(c.enablebanking.first)
        #expect(eb.name == "main" && eb.applicationID == EnableBankingHarness.applicationID && eb.privateKeyFile == path && eb.pending)
        #expect(eb.baseURL == "https://api.enablebanking.com")
        _ = try eb.signer()

        let bad = try FinsyncConfiguration.parse("""
            [[enablebanking]]
            application_id = "not-a-uuid"
            private_key_file = "/nonexistent.pem"
            [[enablebanking]]
            application_id = "\(EnableBankingHarness.applicationID)"
            private_key = "-----BEGIN PRIVATE KEY-----"
            private_key_file = "/x.pem"
            """, environment: [:])
        let keys = bad.readProblems.map(\.key)
        #expect(keys.contains("enablebanking[0].application_id"))
        #expect(keys.contains("enablebanking[1].private_key"))
        #expect(!bad.readProblems.contains { $0.message.contains("BEGIN") })

        let missing = try FinsyncConfiguration.parse("""
            [[enablebanking]]
            application_id = "\(EnableBankingHarness.applicationID)"
            private_key_file = "/nonexistent/app.pem"
            """, environment: [:])
        #expect(missing.validate().contains { $0.key == "enablebanking[0].private_key_file" && $0.message.contains("/nonexistent/app.pem") })

        // Plain http only to this machine, as for every provider (ProviderURLPolicy).
        let plain = try FinsyncConfiguration.parse("""
            [[enablebanking]]
            application_id = "\(EnableBankingHarness.applicationID)"
            private_key_file = "/x.pem"
            base_url = "http://api.enablebanking.example"
            [[enablebanking]]
            name = "local"
            application_id = "\(EnableBankingHarness.applicationID)"
            private_key_file = "/x.pem"
            base_url = "http://[::1]:8080"
            """, environment: [:])
        #expect(plain.readProblems.map(\.key) == ["enablebanking[0].base_url"])
        #expect(plain.readProblems.first?.message.contains("plain http is only allowed on loopback") == true)
    }

    @Test("a file that is not an RSA key is named, its content never quoted")
    func notAKey() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eb-bad-\(UUID().uuidString).pem").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("SECRET-NOT-A-KEY-CONTENT".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = EnableBankingConfiguration(applicationID: EnableBankingHarness.applicationID, privateKeyFile: path)
        do {
            _ = try c.signer()
            Issue.record("a file that is not a key was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains(path) && !text.contains("SECRET-NOT-A-KEY-CONTENT"), "\(text)")
        }
    }
}
