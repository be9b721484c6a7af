import CanonicalJSON
import Projections

/// The extractor's side of "what cannot be normalised never poisons the books": every item
/// of an answer goes through the very normalisers the projections use (``GoCardlessTransaction``,
/// ``GoCardlessBalance``, and the NUL check behind ``ProjectedEvent/defect``) before it is
/// appended, so an item a projection would refuse is reported against its account instead.
enum GoCardlessNormalisation {
    /// The items of one list that can be normalised, and a description of each that cannot.
    struct Checked {
        var items: [GoCardlessTransaction] = []
        var problems: [String] = []
    }

    /// Checks each transaction item of a `booked` or `pending` list.
    static func check(_ list: [JSONValue], kind: String) -> Checked {
        var out = Checked()
        out.items.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            let name = "\(kind) item \(i)" + (item["transactionId"]?.string.map { " (transactionId \(excerpt($0)))" } ?? "")
            if let problem = item.nulProblem() {
                out.problems.append("\(name): \(problem)")
                continue
            }
            do { out.items.append(try GoCardlessTransaction(item)) } catch {
                out.problems.append("\(name): \(error)")
            }
        }
        return out
    }

    /// Why a balances payload cannot be normalised, or nil.
    static func problem(balances payload: JSONValue) -> String? {
        if let problem = payload.nulProblem() { return problem }
        do { _ = try GoCardlessBalance.all(in: payload) } catch { return error.description }
        return nil
    }

    /// The error reported against the account for what was refused.
    static func rejection(endpoint: String, account: String, problems: [String]) -> GoCardlessError {
        let listed = problems.prefix(10).joined(separator: "; ") + (problems.count > 10 ? "; and \(problems.count - 10) more" : "")
        return GoCardlessError(code: .unnormalisableItems, endpoint: endpoint, accountID: account, httpStatus: 200,
                               summary: "\(problems.count) item\(problems.count == 1 ? "" : "s") could not be normalised and \(problems.count == 1 ? "was" : "were") not stored", detail: listed)
    }

    private static func excerpt(_ s: String) -> String {
        s.utf8.count <= 40 ? s : String(s.prefix(37)) + "…"
    }
}
