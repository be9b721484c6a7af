@testable import Replay
import Testing

/// The job queue of a snapshot restore: copies largest first, a copied table's index builds
/// ahead of the copies still waiting, and no task left waiting for builds that will not come.
@Suite struct RestoreQueueTests {
    static func queue(tables: Int) -> RestoreQueue {
        RestoreQueue(copies: (0..<tables).map { RestoreQueue.Job(table: $0, statement: "copy \($0)") }) { job in
            ["index \(job.table)a", "index \(job.table)b"].map { RestoreQueue.Job(table: job.table, statement: $0) }
        }
    }

    @Test func buildsFollowTheirCopyAheadOfTheRemainingCopies() async {
        let q = Self.queue(tables: 3)
        let first = await q.next()
        #expect(first?.statement == "copy 0" && first?.isCopy == true)
        await q.copied(first!)
        var order: [String] = []
        while let job = await q.next() {
            order.append(job.statement)
            if job.isCopy { await q.copied(job) }
        }
        #expect(order == ["index 0a", "index 0b", "copy 1", "index 1a", "index 1b", "copy 2", "index 2a", "index 2b"])
    }

    @Test func aTaskWaitingWhileACopyRunsGetsItsBuildThenTheEnd() async {
        let q = Self.queue(tables: 1)
        let copy = await q.next()!
        let waiter = Task { (await q.next()?.statement, await q.next()?.statement) }  // nothing to hand out yet
        await q.copied(copy)
        let (a, b) = await waiter.value
        #expect(a == "index 0a")
        #expect(b == "index 0b")
        #expect(await q.next() == nil)
    }

    @Test func aFailureReleasesEveryWaitingTask() async {
        let q = Self.queue(tables: 2)
        _ = await q.next()
        _ = await q.next()  // both copies running
        let waiters = (0..<3).map { _ in Task { await q.next() } }
        await q.fail()
        for w in waiters { #expect(await w.value == nil) }
        #expect(await q.next() == nil)
    }
}
