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
