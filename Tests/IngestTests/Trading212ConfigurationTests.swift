import Foundation
import Ingest
import Testing
import TOMLKit

@Suite("Trading212 configuration")
struct Trading212ConfigurationTests {
    @Test("parses several [[trading212]] connections")
    func parsesConnections() throws {
        let toml = try TOMLTable(string: """
            [[trading212]]
            name = "ISA"
            base_url = "https://live.trading212.com"
            api_key_env = "T212_ISA_KEY"
            api_secret_env = "T212_ISA_SECRET"

            [[trading212]]
            name = "Invest"
            base_url = "https://demo.trading212.com/api/v0/"
            api_key_file = "/run/secrets/t212_invest"
            """)
        let all = try Trading212Configuration.parseAll(from: toml)
        #expect(all.count == 2)
        #expect(all[0] == Trading212Configuration(name: "ISA", baseURL: "https://live.trading212.com", apiKey: .environment("T212_ISA_KEY"), apiSecret: .environment("T212_ISA_SECRET")))
        #expect(all[0].connectionID == "isa")
        #expect(all[1].baseURL == "https://demo.trading212.com")
        #expect(all[1].apiKey == .file("/run/secrets/t212_invest"))
        #expect(all[1].apiSecret == nil)
        #expect(try Trading212Configuration.parseAll(from: TOMLTable(string: "")) == [])
    }

    @Test("errors name the key")
    func errorsNameTheKey() throws {
        func error(_ text: String) throws -> Trading212ConfigurationError? {
            do { _ = try Trading212Configuration.parseAll(from: TOMLTable(string: text)); return nil } catch let e as Trading212ConfigurationError { return e }
        }
        #expect(try error("[[trading212]]\nname = \"ISA\"\n")?.key == "trading212[0].api_key_env")
        #expect(try error("[[trading212]]\nname = \"ISA\"\napi_key_env = \"K\"\n[[trading212]]\napi_key_env = \"K\"\n")?.key == "trading212[1].name")
        #expect(try error("[[trading212]]\nname = \"ISA\"\napi_key_env = \"K\"\nbase_url = \"ftp://x\"\n")?.key == "trading212[0].base_url")
        #expect(try error("[[trading212]]\nname = \"ISA\"\napi_key_env = \"K\"\n[[trading212]]\nname = \"isa\"\napi_key_env = \"K\"\n")?.code == .duplicateName)
        #expect(try error("[[trading212]]\nname = \"ISA\"\napi_key_env = \"K\"\napi_key_file = \"/k\"\n")?.key == "trading212[0].api_key_env")
        #expect(try error("[[trading212]]\nname = \"ISA\"\napi_key_env = \"K\"\nsecret = \"oops\"\n")?.key == "trading212[0].secret")
        #expect(try error("[[trading212]]\nname = \"I S A\"\napi_key_env = \"K\"\n")?.key == "trading212[0].name")
        #expect(try error("trading212 = \"x\"\n")?.key == "trading212")
        #expect(try error("[[trading212]]\nname = 5\napi_key_env = \"K\"\n")?.key == "trading212[0].name")
    }

    @Test("credentials come from the environment or a file, and errors never show them")
    func credentials() throws {
        let c = Trading212Configuration(name: "ISA", apiKey: .environment("T212_ISA_KEY"), apiSecret: .environment("T212_ISA_SECRET"))
        let creds = try c.credentials(environment: ["T212_ISA_KEY": "k-123", "T212_ISA_SECRET": "s-456\n"])
        #expect(creds == Trading212Credentials(apiKey: "k-123", apiSecret: "s-456"))
        #expect(creds.authorizationHeader == "Basic " + Data("k-123:s-456".utf8).base64EncodedString())
        #expect(Trading212Credentials(apiKey: "k-123").authorizationHeader == "k-123")
        #expect(!"\(creds)".contains("k-123"))
        #expect(throws: Trading212ConfigurationError.self) { try c.credentials(environment: ["T212_ISA_KEY": "k-123"]) }
        do { _ = try c.credentials(environment: ["T212_ISA_SECRET": "s-456"]); Issue.record("expected an error") } catch let e as Trading212ConfigurationError {
            #expect(e.message.contains("T212_ISA_KEY"))
            #expect(!e.description.contains("s-456"))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("t212-key-\(UUID().uuidString)")
        try "file-key\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try Trading212Configuration(name: "F", apiKey: .file(file.path)).credentials(environment: [:]) == Trading212Credentials(apiKey: "file-key"))
    }
}
