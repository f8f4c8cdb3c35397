namespace MigrationPortal.Application.Tests.Infrastructure;

/// <summary>Real time plus an offset the test can move forward: timers and delays stay real, "now" can jump.</summary>
public sealed class ShiftableTimeProvider : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}
