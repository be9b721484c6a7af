import CanonicalJSON
import Projections
import Testing

@Suite("Enable Banking normalisation")
struct EnableBankingNormalisationTests {
    func item(_ amount: String, _ indicator: String?, ref: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["transaction_amount": ["currency": "EUR", "amount": .string(amount)], "status": "BOOK", "booking_date": "2026-05-03",
                                      "creditor": ["name": "Shop"], "debtor": ["name": "Me"], "remittance_information": ["Card", "purchase"]]
        if let indicator { o["credit_debit_indicator"] = .string(indicator) }
        if let ref { o["entry_reference"] = .string(ref) }
        return .object(o)
    }

    @Test("the sign comes from credit_debit_indicator, whatever the bank put on the amount")
    func sign() throws {
        #expect(try EnableBankingTransaction(item("25.99", "DBIT")).amount == "-25.99")
        #expect(try EnableBankingTransaction(item("-25.99", "DBIT")).amount == "-25.99")
        #expect(try EnableBankingTransaction(item("-5", "CRDT")).amount == "5")
        #expect(try EnableBankingTransaction(item("100", "CRDT")).amount == "100")
        #expect(try EnableBankingTransaction(item("-3.10", nil)).amount == "-3.10")
        #expect(try EnableBankingTransaction(item("0.00", "DBIT")).amount == "0.00")
        #expect(throws: NormalisationError.self) { try EnableBankingTransaction(item("12,50", "DBIT")) }
    }

    @Test("identity: entry_reference, else a synthetic key from date, signed amount, counterparty and text; twins get occurrences")
    func identity() throws {
        let debit = try EnableBankingTransaction(item("3.10", "DBIT"))
        #expect(debit.identity == "syn:2026-05-03|-3.10|EUR|Shop|Card purchase")
        #expect(try EnableBankingTransaction(item("3.10", "CRDT")).counterparty == "Me")
        #expect(try EnableBankingTransaction(item("3.10", "DBIT", ref: " R1 ")).identity == "tid:R1")
        let twins = [debit, try EnableBankingTransaction(item("3.10", "DBIT"))]
        #expect(EnableBankingTransaction.occurrences(twins) == [0, 1])
    }

    @Test("balances: ISO 20022 types mapped into the GoCardless preference order (ITBD › CLBD › XPCD › ITAV › CLAV …)")
    func balances() throws {
        func payload(_ types: [String]) -> JSONValue {
            ["account_key": "k", "balances": .array(types.enumerated().map { i, t -> JSONValue in
                ["balance_type": .string(t), "balance_amount": ["currency": "EUR", "amount": .string("\(i + 1).00")], "reference_date": "2026-06-01"]
            })]
        }
        #expect(BalancePreference.choose(try EnableBankingBalance.all(in: payload(["CLAV", "CLBD", "XPCD"])))?.type == "closingBooked")
        #expect(BalancePreference.choose(try EnableBankingBalance.all(in: payload(["ITAV", "XPCD"])))?.type == "expected")
        #expect(BalancePreference.choose(try EnableBankingBalance.all(in: payload(["CLBD", "ITBD"])))?.amount == "2.00")
        #expect(BalancePreference.choose(try EnableBankingBalance.all(in: payload(["OTHR", "VALU", "INFO"])))?.type == "information")
        #expect(BalancePreference.choose(try EnableBankingBalance.all(in: payload([]))) == nil)
        #expect(throws: NormalisationError.self) { try EnableBankingBalance.all(in: ["balances": [["balance_type": "CLBD", "balance_amount": ["currency": "EUR", "amount": "abc"]]]]) }
    }
}
