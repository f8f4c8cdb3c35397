namespace MigrationPortal.Testing;

/// <summary>
/// Real time plus an offset a test can move forward: timers and delays stay real, "now" can jump (past a stale-heartbeat
/// limit after a "crash", or to "the portal restarted later").
/// </summary>
public sealed class ShiftableTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
