import Foundation
import Ingest
import Testing

@Suite("[notify] in finsync.toml")
struct NotifyConfigurationTests {
    @Test func webhooksAreURLsOrTablesWithAFormat() throws {
        let c = try FinsyncConfiguration.parse("""
            [notify]
            webhooks = [
              "https://hooks.example.com/finsync",
              { url = "https://ntfy.sh/my-finsync-topic", format = "text" },
              { url = "http://homeassistant.local:8123/api/webhook/finsync", format = "json" },
            ]
            """, environment: [:])
        #expect(c.validate().isEmpty)
        #expect(c.notify.webhooks == [
            .init(url: "https://hooks.example.com/finsync", format: .json),
            .init(url: "https://ntfy.sh/my-finsync-topic", format: .text),
            .init(url: "http://homeassistant.local:8123/api/webhook/finsync", format: .json),
        ])
    }

    @Test func noNotifyTableMeansNoWebhooks() throws {
        let c = try FinsyncConfiguration.parse("database_url = \"postgresql://x/y\"", environment: [:])
        #expect(c.validate().isEmpty)
        #expect(c.notify.webhooks.isEmpty)
    }

    @Test func badWebhooksAreProblemsNamedByKeyNeverByURL() throws {
        let c = try FinsyncConfiguration.parse("""
            [notify]
            webhooks = [
              "ftp://files.example.com/secret-token-123",
              "not a url at all",
              { url = "https://ntfy.sh/t", format = "xml" },
              { format = "text" },
              { url = "https://ntfy.sh/t", colour = "red" },
              42,
            ]
            retries = 3
            """, environment: [:])
        let problems = Dictionary(c.validate().map { ($0.key, $0.message) }, uniquingKeysWith: { a, b in a + "; " + b })
        #expect(problems["notify.webhooks[0]"]?.contains("http or https") == true)
        #expect(problems["notify.webhooks[1]"] != nil)
        #expect(problems["notify.webhooks[2].format"]?.contains("\"json\", \"text\"") == true)
        #expect(problems["notify.webhooks[3].url"]?.contains("missing") == true)
        #expect(problems["notify.webhooks[4].colour"]?.contains("unknown key") == true)
        #expect(problems["notify.webhooks[5]"] != nil)
        #expect(problems["notify.retries"]?.contains("unknown key") == true)
        #expect(!c.validate().map(\.description).joined().contains("secret-token-123"))
        // The one valid webhook (with its unknown key reported) is kept.
        #expect(c.notify.webhooks == [.init(url: "https://ntfy.sh/t", format: .json)])
    }

    @Test func aMisspeltNotifyTableIsCaught() throws {
        let c = try FinsyncConfiguration.parse("[notfy]\nwebhooks = [\"https://x.example\"]", environment: [:])
        #expect(c.validate().contains { $0.key == "notfy" && $0.message.contains("did you mean [notify]?") })
    }
}
