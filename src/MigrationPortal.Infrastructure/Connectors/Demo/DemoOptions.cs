namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>Bound from "Demo". The demo connections (vCenter-like and KVM) are created on first start when no other connection exists.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; } = true;

    /// <summary>How long a simulated migration takes.</summary>
    public TimeSpan MigrationDuration { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long a converted demo VM takes to print its login prompt on first boot.</summary>
    public TimeSpan BootDelay { get; set; } = TimeSpan.FromSeconds(2);
}
