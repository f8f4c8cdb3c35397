using MigrationPortal.Domain.Audit;

namespace MigrationPortal.Domain.Tests.Audit;

public class AuditChainTests
{
    private static List<AuditEvent> Chain(int count)
    {
        var events = new List<AuditEvent>();
        var previous = AuditChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var e = new AuditEvent(new DateTimeOffset(2026, 1, 1, 0, 0, i, TimeSpan.Zero), "u1", "User One", "test", "X", i.ToString(), "vm", null, $"event {i}");
            e.Seal(i, previous);
            previous = e.Hash;
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task Verify_ReportsIntact_ForUntouchedChain()
    {
        var events = Chain(5);
        var result = await AuditChain.VerifyAsync(events.ToAsyncEnumerable(), (5, events[^1].Hash));
        Assert.True(result.IsIntact, result.Summary);
        Assert.Equal(5, result.EventsChecked);
    }

    [Fact]
    public async Task Verify_NamesFirstSkippedRow_WhenChainLinksPastForgedRows()
    {
        // Events 1-3 genuine, 4-5 forged (valid hashes, linked on from 3), then 6 sealed by the portal after the highest
        // row but linked to the recorded head, event 3: the forged rows are outside the chain and must be named.
        var events = Chain(3);
        var forged4 = new AuditEvent(DateTimeOffset.UnixEpoch, "u-evil", "Mallory", "test", null, null, null, null, "forged");
        forged4.Seal(4, events[2].Hash);
        var forged5 = new AuditEvent(DateTimeOffset.UnixEpoch, "u-evil", "Mallory", "test", null, null, null, null, "forged");
        forged5.Seal(5, forged4.Hash);
        var genuine = new AuditEvent(DateTimeOffset.UnixEpoch, "system", "System", "audit.chain-anomaly", null, null, null, null, "{}");
        genuine.Seal(6, events[2].Hash);
        events.AddRange([forged4, forged5, genuine]);

        var result = await AuditChain.VerifyAsync(events.ToAsyncEnumerable(), (6, genuine.Hash));

        Assert.False(result.IsIntact);
        Assert.Equal(4, result.FirstBreak!.Sequence);
        Assert.Equal("events 4-5 are not part of the chain: event 6 links back to event 3, past them (rows were inserted out of band).", result.FirstBreak.Problem);
    }

    [Fact]
    public async Task Verify_ReportsRow_WhenDetailsEdited()
    {
        var events = Chain(5);
        typeof(AuditEvent).GetProperty(nameof(AuditEvent.Details))!.SetValue(events[2], "tampered");
        var result = await AuditChain.VerifyAsync(events.ToAsyncEnumerable(), (5, events[^1].Hash));
        Assert.False(result.IsIntact);
        Assert.Equal(3, result.FirstBreak!.Sequence);
    }

    [Fact]
    public async Task Verify_ReportsGap_WhenRowDeleted()
    {
        var events = Chain(5);
        events.RemoveAt(1);
        var result = await AuditChain.VerifyAsync(events.ToAsyncEnumerable(), (5, events[^1].Hash));
        Assert.Equal(2, result.FirstBreak!.Sequence);
    }

    [Fact]
    public async Task Verify_ReportsHead_WhenLastRowDeleted()
    {
        var events = Chain(5);
        var head = (5L, events[^1].Hash);
        events.RemoveAt(4);
        var result = await AuditChain.VerifyAsync(events.ToAsyncEnumerable(), head);
        Assert.Equal(5, result.FirstBreak!.Sequence);
    }

    [Fact]
    public void Seal_Throws_WhenSealedTwice()
    {
        var e = Chain(1)[0];
        Assert.Throws<InvalidOperationException>(() => e.Seal(2, "x"));
    }
}
