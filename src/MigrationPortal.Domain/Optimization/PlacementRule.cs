namespace MigrationPortal.Domain.Optimization;

public enum PlacementRuleKind
{
    /// <summary>No two of the VMs on one host (an application's replicas).</summary>
    KeepApart,
    /// <summary>All the VMs on one host.</summary>
    KeepTogether,
    /// <summary>The VMs run on one of <see cref="PlacementRule.HostIds"/> (a host group).</summary>
    RunOnHostGroup,
}

/// <summary>Must or should. The optimizer never recommends a move that breaks either; the difference is for manual requests
/// (Critical against Warning findings) and for how an existing violation is reported.</summary>
public enum RuleStrength { Must, Should }

public sealed record PlacementRule(
    string Name,
    PlacementRuleKind Kind,
    RuleStrength Strength,
    IReadOnlyList<string> VmIds,
    IReadOnlySet<string>? HostIds = null)
{
    public static PlacementRule KeepApart(string name, IReadOnlyList<string> vmIds, RuleStrength strength = RuleStrength.Must) =>
        new(name, PlacementRuleKind.KeepApart, strength, vmIds);

    public static PlacementRule KeepTogether(string name, IReadOnlyList<string> vmIds, RuleStrength strength = RuleStrength.Must) =>
        new(name, PlacementRuleKind.KeepTogether, strength, vmIds);

    public static PlacementRule RunOnHostGroup(string name, IReadOnlyList<string> vmIds, IReadOnlySet<string> hostIds, RuleStrength strength) =>
        new(name, PlacementRuleKind.RunOnHostGroup, strength, vmIds, hostIds);
}
