import Ingest
import Testing

/// One rule picks the `[[enablebanking]]` application for the CLI and the API.
@Suite struct EnableBankingApplicationChoiceTests {
    let names = ["main", "Work"]

    @Test func aNameIsMatchedCaseInsensitively() throws {
        #expect(try EnableBankingApplicationChoice.pick(names, named: "work", nameOf: { $0 }) == "Work")
    }

    @Test func anUnknownNameIsRefusedListingTheConfiguredOnes() {
        #expect {
            try EnableBankingApplicationChoice.pick(names, named: "home", nameOf: { $0 })
        } throws: { error in
            guard case EnableBankingApplicationChoice.Refusal.unknown(let name, let configured) = error else { return false }
            return name == "home" && configured == ["main", "Work"]
        }
    }

    @Test func noNameTakesTheOnlyOneAndRefusesToGuessAmongSeveral() throws {
        #expect(try EnableBankingApplicationChoice.pick(["solo"], named: nil, nameOf: { $0 }) == "solo")
        #expect {
            try EnableBankingApplicationChoice.pick(names, named: nil, nameOf: { $0 })
        } throws: { error in
            guard case EnableBankingApplicationChoice.Refusal.ambiguous(let configured) = error else { return false }
            return configured == ["main", "Work"]
        }
    }
}
