using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// The placement rules as the host evacuation planner keeps them: a target that breaks a Must rule or the target cluster's
/// memory headroom is never proposed, and among the rest the planner prefers the targets that break fewest Should rules.
/// It follows the proposal as it is built, so two replicas leaving the same host are not sent to one target, and VMs kept
/// together follow the first one placed. A VM leaving the evacuated host and not yet placed constrains nothing: it is going.
/// </summary>
/// <remarks>
/// Memory headroom only: the inventory has no CPU load yet (see <see cref="RulePrechecks"/>). Greedy, like the planner: a
/// keep-together group follows its largest VM's target, and a group that cannot follow gets no target rather than a split.
/// </remarks>
internal sealed class RuleAwarePlacement
{
    private readonly RuleWorld _world;
    private readonly HashSet<Guid> _leaving;
    private readonly IReadOnlyDictionary<string, long> _committed;
    private readonly Dictionary<Guid, InventoryHost> _placed = [];
    private readonly Dictionary<Guid, List<string>> _refusals = [];

    private RuleAwarePlacement(RuleWorld world, IEnumerable<Guid> leaving, IReadOnlyDictionary<string, long> committed)
    {
        _world = world;
        _leaving = [.. leaving];
        _committed = committed;
    }

    /// <param name="vms">The VMs on the host being emptied.</param>
    /// <param name="committed">Memory other requests already promised each host, by external ID.</param>
    public static async Task<RuleAwarePlacement> LoadAsync(IPortalDb db, InventoryHost host, IReadOnlyList<InventoryVm> vms, IReadOnlyDictionary<string, long> committed, CancellationToken ct)
    {
        var ids = vms.Select(v => v.Id).ToList();
        return new RuleAwarePlacement(await RuleWorld.LoadAsync(db, host.ConnectionId, ids, Guid.Empty, ct), ids, committed);
    }

    /// <summary>
    /// Whether the VM may go to the host: no Must rule broken and the memory headroom kept, counting <paramref name="proposedMb"/>
    /// (what this proposal already placed there). A refusal is remembered for <see cref="WhyNone"/>.
    /// </summary>
    public bool Allows(InventoryVm vm, string targetHostId, long proposedMb)
    {
        if (!_world.Hosts.TryGetValue(targetHostId, out var target)) return true;
        var why = _world.RulesOf(vm.Id).Where(r => r.Enforcement == RuleEnforcement.Must).Select(r => _world.Breaks(r, vm.Id, target, WhereIs)).FirstOrDefault(w => w is not null)
            ?? HeadroomBroken(vm, target, proposedMb);
        if (why is null) return true;
        if (!_refusals.TryGetValue(vm.Id, out var list)) _refusals[vm.Id] = list = [];
        list.Add(why);
        return false;
    }

    /// <summary>How many Should rules the move would break: the planner prefers the fewest.</summary>
    public int ShouldBreaks(InventoryVm vm, string targetHostId) =>
        _world.Hosts.TryGetValue(targetHostId, out var target)
            ? _world.RulesOf(vm.Id).Count(r => r.Enforcement == RuleEnforcement.Should && _world.Breaks(r, vm.Id, target, WhereIs) is not null)
            : 0;

    /// <summary>Records the proposal's choice, so the VMs placed after it see this VM at its target.</summary>
    public void Place(InventoryVm vm, string targetHostId)
    {
        if (_world.Hosts.TryGetValue(targetHostId, out var target)) _placed[vm.Id] = target;
    }

    /// <summary>Why no host with room was allowed for the VM (the first refusals), or null when the rules refused none.</summary>
    public string? WhyNone(InventoryVm vm) =>
        _refusals.TryGetValue(vm.Id, out var list) && list.Count > 0
            ? "Every compatible host with room breaks a rule: " + string.Join(" ", list.Distinct().Take(3)) + (list.Count > 3 ? $" (and {list.Count - 3} more)" : "")
            : null;

    private (string HostId, string? HostName, bool Moving)? WhereIs(Guid vmId) =>
        _placed.TryGetValue(vmId, out var at) ? (at.ExternalId, at.Name, true)
        : _leaving.Contains(vmId) ? null
        : _world.WhereIs(vmId);

    private string? HeadroomBroken(InventoryVm vm, InventoryHost target, long proposedMb)
    {
        if (_world.HeadroomOf(target) is not { MemoryPercent: > 0 } headroom) return null;
        var after = target.MemoryUsedMb + _committed.GetValueOrDefault(target.ExternalId) + proposedMb + vm.MemoryMb;
        var usable = ClusterHeadroom.UsableMemoryMb(target.MemoryMb, headroom.MemoryPercent);
        return after <= usable ? null
            : $"host '{target.Name}' would use {after:N0} of {target.MemoryMb:N0} MB, above the {usable:N0} MB its cluster's {headroom.MemoryPercent} % memory headroom allows.";
    }
}
