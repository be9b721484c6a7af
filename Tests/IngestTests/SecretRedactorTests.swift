import Ingest
import Testing

@Suite("SecretRedactor")
struct SecretRedactorTests {
    @Test func replacesEveryOccurrenceAsWrittenAndPercentEncoded() {
        let r = SecretRedactor(secrets: ["s3cr3t/key+1", "another-secret"])
        #expect(r.redact("id s3cr3t/key+1, again s3cr3t/key+1") == "id [redacted], again [redacted]")
        #expect(r.redact("url ?k=s3cr3t%2Fkey%2B1") == "url ?k=[redacted]")
        #expect(r.redact("nothing here") == "nothing here")
    }

    @Test func aSecretContainingAnotherIsRemovedWhole() {
        let r = SecretRedactor(secrets: ["abcdef", "abcdef-ghijkl"])
        #expect(r.redact("x abcdef-ghijkl y") == "x [redacted] y")
    }

    @Test func shortValuesAreNotTreatedAsSecrets() {
        let r = SecretRedactor(secrets: ["", "ab", "ISA"])
        #expect(r.isEmpty)
        #expect(r.redact("ISA ab") == "ISA ab")
    }

    @Test func mergingKeepsBothSets() {
        let r = SecretRedactor(secrets: ["first-secret"]).merging(SecretRedactor(secrets: ["second-secret"]))
        #expect(r.redact("first-secret second-secret") == "[redacted] [redacted]")
    }
}
