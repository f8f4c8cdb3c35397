using MigrationPortal.Domain.Common;

namespace MigrationPortal.Domain.Rules;

/// <summary>What a placement rule asks of its VMs.</summary>
public enum PlacementRuleKind
{
    /// <summary>No two of the VMs on one host (an application's replicas).</summary>
    KeepApart,

    /// <summary>All of the VMs on one host (chatty tiers).</summary>
    KeepTogether,

    /// <summary>The VMs on one of the rule's hosts (a licence or hardware group).</summary>
    RunOnHostGroup,
}

/// <summary>How hard a rule binds: breaking a Must rule is a Critical finding (it blocks), breaking a Should rule a Warning.</summary>
public enum RuleEnforcement
{
    Must,
    Should,
}

/// <summary>
/// A portal-defined placement rule of one connection, in the manner of DRS's VM–VM and VM–host rules. Its members are child
/// rows keyed by (rule, VM) and (rule, host), so a VM or host that leaves the inventory leaves the rule with it (the
/// database cascades). The name is unique per connection (a database index, so two Administrators cannot race past it).
/// </summary>
public sealed class PlacementRule
{
    private readonly List<PlacementRuleVm> _vms = [];
    private readonly List<PlacementRuleHost> _hosts = [];

    private PlacementRule() { }

    public PlacementRule(Guid connectionId, string name, PlacementRuleKind kind, RuleEnforcement enforcement, IReadOnlyCollection<Guid> vmIds,
        IReadOnlyCollection<Guid> hostIds, Actor actor, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        ConnectionId = connectionId;
        Update(name, kind, enforcement, vmIds, hostIds, actor, now);
    }

    public Guid Id { get; private set; }
    public Guid ConnectionId { get; private set; }
    public string Name { get; private set; } = "";
    public PlacementRuleKind Kind { get; private set; }
    public RuleEnforcement Enforcement { get; private set; }
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }
    public IReadOnlyList<PlacementRuleVm> Vms => _vms;
    public IReadOnlyList<PlacementRuleHost> Hosts => _hosts;

    /// <summary>The fewest VMs a keep-apart or keep-together rule can hold: one VM is kept apart from nothing.</summary>
    public const int MinimumPairVms = 2;

    public void Update(string name, PlacementRuleKind kind, RuleEnforcement enforcement, IReadOnlyCollection<Guid> vmIds, IReadOnlyCollection<Guid> hostIds, Actor actor, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new DomainException("A rule needs a name.");
        if (!Enum.IsDefined(kind)) throw new DomainException($"'{kind}' is not a rule kind.");
        if (!Enum.IsDefined(enforcement)) throw new DomainException($"'{enforcement}' is not an enforcement.");
        var vms = vmIds.Distinct().ToHashSet();
        var hosts = hostIds.Distinct().ToHashSet();
        if (kind == PlacementRuleKind.RunOnHostGroup)
        {
            if (vms.Count == 0) throw new DomainException("A host-group rule needs at least one VM.");
            if (hosts.Count == 0) throw new DomainException("A host-group rule needs at least one host.");
        }
        else
        {
            if (vms.Count < MinimumPairVms) throw new DomainException($"A {kind} rule needs at least {MinimumPairVms} VMs.");
            if (hosts.Count > 0) throw new DomainException("Only a host-group rule has hosts.");
        }

        Name = name.Trim();
        Kind = kind;
        Enforcement = enforcement;
        // Kept rows stay the same tracked objects: removing and re-adding one key in one save would clash in the change tracker.
        _vms.RemoveAll(m => !vms.Contains(m.VmId));
        _vms.AddRange(vms.Where(id => _vms.All(m => m.VmId != id)).Select(id => new PlacementRuleVm(Id, id)));
        _hosts.RemoveAll(m => !hosts.Contains(m.HostId));
        _hosts.AddRange(hosts.Where(id => _hosts.All(m => m.HostId != id)).Select(id => new PlacementRuleHost(Id, id)));
        UpdatedBy = actor.Name;
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>A VM of a placement rule (the inventory VM's portal ID).</summary>
public sealed class PlacementRuleVm(Guid ruleId, Guid vmId)
{
    public Guid RuleId { get; private set; } = ruleId;
    public Guid VmId { get; private set; } = vmId;
}

/// <summary>A host of a host-group rule (the inventory host's portal ID).</summary>
public sealed class PlacementRuleHost(Guid ruleId, Guid hostId)
{
    public Guid RuleId { get; private set; } = ruleId;
    public Guid HostId { get; private set; } = hostId;
}
