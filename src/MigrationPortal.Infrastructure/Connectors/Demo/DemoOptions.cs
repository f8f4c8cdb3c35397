namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>Bound from "Demo". The demo connection is created on first start when no other connection exists.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; } = true;

    /// <summary>How long a simulated migration takes.</summary>
    public TimeSpan MigrationDuration { get; set; } = TimeSpan.FromSeconds(8);
}
