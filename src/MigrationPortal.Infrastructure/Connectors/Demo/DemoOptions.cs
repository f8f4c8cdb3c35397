namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>Bound from "Demo". The demo connections (vCenter-like and KVM) are created on first start when no other connection exists.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether start-up fills the demo connections' empty utilisation history with the past week of their load curves (when
    /// utilisation is collected at all). Test harnesses that do not look at load turn it off to keep each start fast.
    /// </summary>
    public bool BackfillUtilisation { get; set; } = true;

    /// <summary>How long a simulated migration takes.</summary>
    public TimeSpan MigrationDuration { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long a converted demo VM takes to print its login prompt on first boot.</summary>
    public TimeSpan BootDelay { get; set; } = TimeSpan.FromSeconds(2);
}
