import Foundation
import Ingest
import Testing

@Suite("[[trading212]] in finsync.toml")
struct Trading212WiringConfigurationTests {
    @Test("valid entries become connections")
    func validEntries() throws {
        let c = try FinsyncConfiguration.parse("""
            [[trading212]]
            name = "ISA"
            api_key_env = "T212_ISA_KEY"
            api_secret_env = "T212_ISA_SECRET"
            [[trading212]]
            name = "Invest"
            base_url = "https://demo.trading212.com"
            api_key_env = "T212_INVEST_KEY"
            """, environment: ["T212_ISA_KEY": "k", "T212_ISA_SECRET": "s", "T212_INVEST_KEY": "k2", "DATABASE_URL": "postgresql://x/y"])
        #expect(c.validate().isEmpty)
        #expect(c.trading212.map(\.connectionID) == ["isa", "invest"])
        #expect(c.trading212[1].baseURL == Trading212Configuration.demoBaseURL)
    }

    @Test("config check names every problem by key, never a secret")
    func everyProblemByKey() throws {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("t212-empty-\(UUID().uuidString)")
        try "\n".write(to: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secretFile) }
        let c = try FinsyncConfiguration.parse("""
            [[trading212]]
            name = "ISA"
            [[trading212]]
            name = "Invest"
            api_key_env = "T212_INVEST_UNSET"
            api_secret_file = "\(secretFile.path)"
            [[trading212]]
            name = "isa"
            api_key_env = "T212_OTHER"
            [[trading212]]
            name = 7
            api_key_env = "T212_X"
            [[trading212]]
            name = "Plain"
            base_url = "http://api.example.com"
            api_key = "s3cr3t-in-the-file"
            [[trading212]]
            name = "Remote"
            base_url = "http://t212.example.com"
            api_key_env = "T212_OTHER"
            """, environment: ["T212_OTHER": "set", "DATABASE_URL": "postgresql://x/y"])
        let problems = c.validate()
        let keys = problems.map(\.key)
        for key in ["trading212[0].api_key_env", "trading212[1].api_key_env", "trading212[1].api_secret_file", "trading212[2].name",
                    "trading212[3].name", "trading212[4].api_key", "trading212[5].base_url"] {
            #expect(keys.contains(key), "expected a problem for \(key); got \(problems)")
        }
        #expect(problems.first { $0.key == "trading212[1].api_key_env" }?.message.contains("T212_INVEST_UNSET") == true)
        #expect(!problems.contains { $0.message.contains("s3cr3t-in-the-file") })
        // Only the valid, distinct entries are used.
        #expect(c.trading212.map(\.name) == ["Invest", "Remote"])
    }
}
