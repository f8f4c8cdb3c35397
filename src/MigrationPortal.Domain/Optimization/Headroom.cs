namespace MigrationPortal.Domain.Optimization;

/// <summary>The share of each host's CPU and memory capacity that must stay free after every move (per cluster or host group).
/// It is applied per host, which also keeps the same share free in the whole cluster.</summary>
public sealed record Headroom(double CpuPercent, double MemoryPercent)
{
    public static Headroom None { get; } = new(0, 0);

    public double CpuFactor => 1 - CpuPercent / 100.0;
    public double MemoryFactor => 1 - MemoryPercent / 100.0;

    public void Validate(string where)
    {
        if (CpuPercent is < 0 or >= 100 || MemoryPercent is < 0 or >= 100 || double.IsNaN(CpuPercent) || double.IsNaN(MemoryPercent))
            throw new ArgumentException($"Headroom for {where} must be at least 0 % and under 100 % (got CPU {CpuPercent} %, memory {MemoryPercent} %).");
    }
}
