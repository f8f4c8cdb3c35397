namespace MigrationPortal.Application.Tests.Infrastructure;

/// <summary>The shared wait helper: it returns once the condition holds, and a timeout names what was awaited.</summary>
public sealed class EventuallyTests
{
    [Fact]
    public async Task TrueAsync_ReturnsOnTheFirstCheckThatHolds_WhenTheConditionBecomesTrue()
    {
        var checks = 0;
        await Eventually.TrueAsync(() => ++checks == 3, TimeSpan.FromSeconds(10), "the third check", TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, checks);
    }

    [Fact]
    public async Task TrueAsync_ThrowsTimeoutNamingWhatWasAwaitedAndTheDetail_WhenTheConditionNeverHolds()
    {
        var checks = 0;
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.TrueAsync(() => { checks++; return Task.FromResult(false); },
            TimeSpan.FromMilliseconds(200), "the pigs to fly", TimeSpan.FromMilliseconds(10), () => Task.FromResult("Pigs seen: 0.")));
        Assert.Equal("Timed out after 0.2 s waiting for the pigs to fly. Pigs seen: 0.", error.Message);
        Assert.True(checks >= 2, $"checked {checks} times");
    }

    [Fact]
    public async Task ValueAsync_ReturnsTheAcceptedValue_AndShowsTheLastValueOnTimeout()
    {
        var next = 0;
        Assert.Equal(2, await Eventually.ValueAsync(() => Task.FromResult(++next), n => n >= 2, TimeSpan.FromSeconds(10), "two", TimeSpan.FromMilliseconds(1)));

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.ValueAsync(() => Task.FromResult("Running"), s => s == "Succeeded", TimeSpan.FromMilliseconds(50), "the request to end", TimeSpan.FromMilliseconds(5)));
        Assert.EndsWith("waiting for the request to end. Last value: Running.", error.Message);
    }

    [Fact]
    public async Task TrueAsync_PropagatesTheConditionsException_WithoutWaitingOutTheLimit()
    {
        var started = TimeProvider.System.GetTimestamp();
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Eventually.TrueAsync(() => Task.FromException<bool>(new InvalidOperationException("the run failed")), TimeSpan.FromSeconds(30), "a run that failed"));
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
    }
}
