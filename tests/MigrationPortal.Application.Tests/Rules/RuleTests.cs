using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Rules;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Rules;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Rules;

/// <summary>
/// Placement rules and headroom on the demo inventory (2 clusters of 3 hosts, 10 VMs per host): the use cases' checks, the
/// unique name, the findings every precheck shows, and the evacuation planner keeping them.
/// </summary>
public abstract class RuleTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private Task<InventoryHost> HostAsync(string name) => Portal.Db(db => db.Hosts.AsNoTracking().FirstAsync(h => h.Name == name));

    private Task<List<InventoryVm>> VmsOnAsync(string hostName) => Portal.Db(db => db.Vms.AsNoTracking().Where(v => v.HostName == hostName).OrderBy(v => v.Name).ToListAsync());

    private Task<PlacementRuleView> CreateAsync(string name, PlacementRuleKind kind, RuleEnforcement enforcement, IEnumerable<Guid> vms, IEnumerable<Guid>? hosts = null, PortalUser? user = null) =>
        Portal.Db(db => db.Hosts.Where(h => h.Name == "demo-esx-a1").Select(h => h.ConnectionId).FirstAsync()).ContinueWith(async c =>
            await Portal.Scoped<CreateRule, PlacementRuleView>(u => u.HandleAsync(user ?? PortalHarness.Operator,
                new CreateRule.Command(c.Result, name, kind, enforcement, vms.ToList(), hosts?.ToList() ?? [])))).Unwrap();

    /// <summary>The rule findings the wizard's preview shows for moving the VM (compute only) to the host.</summary>
    private async Task<List<PrecheckFinding>> RuleFindingsAsync(InventoryVm vm, InventoryHost target)
    {
        var preview = await Portal.Scoped<PreviewRequest, RequestPreview>(u => u.HandleAsync(PortalHarness.Admin,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target.ExternalId, null, "Rule test", TakeSnapshot: false)));
        return preview.Findings.Where(f => f.Code.StartsWith("rule-", StringComparison.Ordinal)).ToList();
    }

    private static FindingSeverity SeverityOf(RuleEnforcement enforcement) => enforcement == RuleEnforcement.Must ? FindingSeverity.Critical : FindingSeverity.Warning;

    [Fact]
    public async Task CreateRule_ReportsEveryProblemInOneRound_WhenTheInputIsBad()
    {
        var vm = (await VmsOnAsync("demo-esx-a1"))[0];
        var connection = vm.ConnectionId;
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<CreateRule, PlacementRuleView>(u => u.HandleAsync(PortalHarness.Operator,
            new CreateRule.Command(connection, "bad\0name", (PlacementRuleKind)7, null, [vm.Id], []))));
        Assert.Contains("NUL", error.Errors["Name"][0]);
        Assert.Contains("'7' is not one of", string.Join(" ", error.Errors["Kind"]));
        Assert.True(error.Errors.ContainsKey("Enforcement"));

        var tooFew = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<CreateRule, PlacementRuleView>(u => u.HandleAsync(PortalHarness.Operator,
            new CreateRule.Command(connection, new string('x', 257), PlacementRuleKind.KeepApart, (RuleEnforcement)5, [vm.Id], [Guid.NewGuid()]))));
        Assert.Contains("256 characters", tooFew.Errors["Name"][0]);
        Assert.Contains("at least 2 VMs", tooFew.Errors["VmIds"][0]);
        Assert.Contains("Only a host-group rule has hosts", tooFew.Errors["HostIds"][0]);
        Assert.Contains("'5' is not one of", string.Join(" ", tooFew.Errors["Enforcement"]));
        Assert.Equal(0, await Portal.Db(db => db.PlacementRules.CountAsync()));
    }

    [Fact]
    public async Task CreateRule_RefusesMembers_OfAnotherConnectionOrMissing()
    {
        var other = new Connection("other-vc", "vsphere", "https://other.example");
        var stranger = new InventoryVm { ConnectionId = other.Id, ExternalId = "vm-1", Name = "stranger-vm" };
        var foreignHost = new InventoryHost { ConnectionId = other.Id, ExternalId = "host-1", Name = "stranger-host" };
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            db.Connections.Add(other);
            db.Vms.Add(stranger);
            db.Hosts.Add(foreignHost);
            await db.SaveChangesAsync();
        });
        var vm = (await VmsOnAsync("demo-esx-a1"))[0];

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => CreateAsync("mixed", PlacementRuleKind.RunOnHostGroup, RuleEnforcement.Must,
            [vm.Id, stranger.Id, Guid.NewGuid()], [foreignHost.Id]));

        Assert.Contains(error.Errors["VmIds"], m => m.Contains("'stranger-vm' is not a VM of"));
        Assert.Contains(error.Errors["VmIds"], m => m.Contains("1 of the chosen VMs is not in the inventory"));
        Assert.Contains(error.Errors["HostIds"], m => m.Contains("'stranger-host' is not a host of"));
    }

    [Fact]
    public async Task CreateRule_Answers409_WhenTheConnectionHasARuleOfThatName()
    {
        var vms = await VmsOnAsync("demo-esx-a1");
        await CreateAsync("web replicas", PlacementRuleKind.KeepApart, RuleEnforcement.Must, [vms[0].Id, vms[1].Id]);

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => CreateAsync("web replicas", PlacementRuleKind.KeepTogether, RuleEnforcement.Should, [vms[2].Id, vms[3].Id]));

        Assert.Contains("already has a rule called 'web replicas'", conflict.Message);
        Assert.Equal(1, await Portal.Db(db => db.PlacementRules.CountAsync()));
    }

    [Fact]
    public async Task UpdateRule_Answers409_WhenTheRuleChangedSinceItWasRead_AndKeepsMembersAsRows()
    {
        var vms = await VmsOnAsync("demo-esx-a1");
        var rule = await CreateAsync("db pair", PlacementRuleKind.KeepApart, RuleEnforcement.Must, [vms[0].Id, vms[1].Id]);
        var edited = await Portal.Scoped<UpdateRule, PlacementRuleView>(u => u.HandleAsync(PortalHarness.Admin,
            new UpdateRule.Command(rule.Id, rule.Version, "db trio", PlacementRuleKind.KeepApart, RuleEnforcement.Should, [vms[1].Id, vms[2].Id, vms[3].Id], [])));
        Assert.Equal(new[] { vms[1].Id, vms[2].Id, vms[3].Id }.Order(), edited.Vms.Select(v => v.Id).Order());
        Assert.Equal(3, await Portal.Db(db => db.Set<PlacementRuleVm>().CountAsync(m => m.RuleId == rule.Id)));

        var stale = await Assert.ThrowsAsync<ConflictException>(() => Portal.Scoped<UpdateRule, PlacementRuleView>(u => u.HandleAsync(PortalHarness.Admin,
            new UpdateRule.Command(rule.Id, rule.Version, "db pair", PlacementRuleKind.KeepApart, RuleEnforcement.Must, [vms[0].Id, vms[1].Id], []))));
        Assert.Contains("changed by", stale.Message);

        // A VM that leaves the inventory leaves the rule with it: the member row cascades.
        await Portal.Db(db => db.Vms.Where(v => v.Id == vms[3].Id).ExecuteDeleteAsync());
        Assert.Equal(2, await Portal.Db(db => db.Set<PlacementRuleVm>().CountAsync(m => m.RuleId == rule.Id)));
    }

    [Fact]
    public async Task Rules_AreChangedByOperatorsAndAdministrators_AndReadByApproversAndRequesters()
    {
        var vms = await VmsOnAsync("demo-esx-a1");
        await Assert.ThrowsAsync<ForbiddenException>(() => CreateAsync("x", PlacementRuleKind.KeepApart, RuleEnforcement.Must, [vms[0].Id, vms[1].Id], user: Approver1));
        await Assert.ThrowsAsync<ForbiddenException>(() => CreateAsync("x", PlacementRuleKind.KeepApart, RuleEnforcement.Must, [vms[0].Id, vms[1].Id], user: Requester));
        var rule = await CreateAsync("x", PlacementRuleKind.KeepApart, RuleEnforcement.Must, [vms[0].Id, vms[1].Id], user: PortalHarness.Admin);
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<DeleteRule>(u => u.HandleAsync(Auditor, rule.Id)));

        Assert.Single(await Portal.Scoped<ListRules, IReadOnlyList<PlacementRuleView>>(u => u.HandleAsync(Approver1, new ListRules.Query())));
        // Rita owns demo-payments: she sees a rule only when it holds one of its VMs, and other applications' VMs without names.
        var ritas = await Portal.Db(db => db.Vms.AsNoTracking().Where(v => v.ApplicationTag == RequesterApp).OrderBy(v => v.Name).Select(v => v.Id).FirstAsync());
        var others = await Portal.Db(db => db.Vms.AsNoTracking().Where(v => v.ApplicationTag == OtherApp).OrderBy(v => v.Name).Select(v => v.Id).FirstAsync());
        await CreateAsync("mixed", PlacementRuleKind.KeepApart, RuleEnforcement.Should, [ritas, others]);
        var seen = await Portal.Scoped<ListRules, IReadOnlyList<PlacementRuleView>>(u => u.HandleAsync(Requester, new ListRules.Query()));
        var mixed = Assert.Single(seen, r => r.Name == "mixed");
        Assert.Equal(ListRules.HiddenVm, mixed.Vms.Single(v => v.Id == others).Name);
        Assert.DoesNotContain(seen, r => r.Name == "x" && !r.Vms.Any(v => v.Id == ritas));

        await Portal.Scoped<DeleteRule>(u => u.HandleAsync(PortalHarness.Operator, rule.Id));
        var audit = await Portal.Db(db => db.AuditEvents.AsNoTracking().Where(e => e.EntityType == nameof(PlacementRule)).Select(e => e.EntityId).ToListAsync());
        Assert.Equal(2, audit.Count(id => id == rule.Id.ToString()));
    }

    [Theory]
    [InlineData(RuleEnforcement.Must)]
    [InlineData(RuleEnforcement.Should)]
    public async Task Precheck_FindsKeepApart_WhenAMemberRunsOnOrIsMovingToTheTarget(RuleEnforcement enforcement)
    {
        var a1 = await VmsOnAsync("demo-esx-a1");
        var a3 = await VmsOnAsync("demo-esx-a3");
        var (hostA2, hostA3) = (await HostAsync("demo-esx-a2"), await HostAsync("demo-esx-a3"));
        await CreateAsync("replicas", PlacementRuleKind.KeepApart, enforcement, [a1[0].Id, a3[0].Id]);

        var onTarget = Assert.Single(await RuleFindingsAsync(a1[0], hostA3));
        Assert.Equal(("rule-keep-apart", SeverityOf(enforcement)), (onTarget.Code, onTarget.Severity));
        Assert.Contains($"'{a3[0].Name}' already runs there", onTarget.Message);
        Assert.Contains("'replicas'", onTarget.Message);
        Assert.Empty(await RuleFindingsAsync(a1[0], hostA2));

        // The other replica's active request to a2 takes a2, and frees a3: where a member is going is where it will be.
        await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(PortalHarness.Admin,
            new SubmitRequest.Command(a3[0].Id, MigrationKind.Compute, true, hostA2.ExternalId, null, "Rule test", TakeSnapshot: false)));
        var viaRequest = Assert.Single(await RuleFindingsAsync(a1[0], hostA2));
        Assert.Contains($"'{a3[0].Name}' has an active request to move there", viaRequest.Message);
        Assert.Empty(await RuleFindingsAsync(a1[0], hostA3));
    }

    [Theory]
    [InlineData(RuleEnforcement.Must)]
    [InlineData(RuleEnforcement.Should)]
    public async Task Precheck_FindsKeepTogether_WhenOneMemberLeavesTheHostTheOthersShare(RuleEnforcement enforcement)
    {
        var a1 = await VmsOnAsync("demo-esx-a1");
        await CreateAsync("app and cache", PlacementRuleKind.KeepTogether, enforcement, [a1[0].Id, a1[1].Id, a1[2].Id]);

        var finding = Assert.Single(await RuleFindingsAsync(a1[0], await HostAsync("demo-esx-a2")));

        Assert.Equal(("rule-keep-together", SeverityOf(enforcement)), (finding.Code, finding.Severity));
        Assert.Contains($"'{a1[1].Name}' on 'demo-esx-a1'", finding.Message);
        Assert.Contains($"'{a1[2].Name}' on 'demo-esx-a1'", finding.Message);
    }

    [Theory]
    [InlineData(RuleEnforcement.Must)]
    [InlineData(RuleEnforcement.Should)]
    public async Task Precheck_FindsHostGroup_WhenTheTargetIsNotInTheGroup(RuleEnforcement enforcement)
    {
        var a1 = await VmsOnAsync("demo-esx-a1");
        var (a2, a3) = (await HostAsync("demo-esx-a2"), await HostAsync("demo-esx-a3"));
        await CreateAsync("licensed hosts", PlacementRuleKind.RunOnHostGroup, enforcement, [a1[0].Id], [a3.Id]);

        var finding = Assert.Single(await RuleFindingsAsync(a1[0], a2));
        Assert.Equal(("rule-host-group", SeverityOf(enforcement)), (finding.Code, finding.Severity));
        Assert.Contains("'demo-esx-a3'", finding.Message);
        Assert.Contains("host 'demo-esx-a2' is not in the group", finding.Message);
        Assert.Empty(await RuleFindingsAsync(a1[0], a3));
    }

    [Fact]
    public async Task Precheck_WarnsOfHeadroom_WhenTheTargetWouldUseTheClustersReserve()
    {
        var vm = (await VmsOnAsync("demo-esx-a1"))[0];
        var target = await HostAsync("demo-esx-a2");
        await Portal.Scoped<SetClusterHeadroom, ClusterHeadroomView>(u => u.HandleAsync(PortalHarness.Operator,
            new SetClusterHeadroom.Command(target.ConnectionId, target.ClusterName, 10, 30)));
        // The target uses exactly its usable share; the VM's memory tips it over.
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            var h = await db.Hosts.FirstAsync(x => x.Id == target.Id);
            h.MemoryUsedMb = ClusterHeadroom.UsableMemoryMb(h.MemoryMb, 30) - vm.MemoryMb + 1;
            await db.SaveChangesAsync();
        });

        var finding = Assert.Single(await RuleFindingsAsync(vm, target));
        Assert.Equal(("rule-headroom", FindingSeverity.Warning), (finding.Code, finding.Severity));
        Assert.Contains("30 % of memory", finding.Message);

        await Portal.Scoped<PortalDbContext>(async db =>
        {
            var h = await db.Hosts.FirstAsync(x => x.Id == target.Id);
            h.MemoryUsedMb = ClusterHeadroom.UsableMemoryMb(h.MemoryMb, 30) - vm.MemoryMb;
            await db.SaveChangesAsync();
        });
        Assert.Empty(await RuleFindingsAsync(vm, target));
    }

    [Fact]
    public async Task SetClusterHeadroom_RefusesOutOfRangeAndUnknownClusters_AndListsEveryCluster()
    {
        var host = await HostAsync("demo-esx-a1");
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SetClusterHeadroom, ClusterHeadroomView>(u => u.HandleAsync(PortalHarness.Operator,
            new SetClusterHeadroom.Command(host.ConnectionId, "no-such-cluster", 91, -1))));
        Assert.Equal(["ClusterName", "CpuPercent", "MemoryPercent"], error.Errors.Keys.Order());
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<SetClusterHeadroom, ClusterHeadroomView>(u => u.HandleAsync(Approver1,
            new SetClusterHeadroom.Command(host.ConnectionId, host.ClusterName, 10, 10))));

        await Portal.Scoped<SetClusterHeadroom, ClusterHeadroomView>(u => u.HandleAsync(PortalHarness.Admin, new SetClusterHeadroom.Command(host.ConnectionId, host.ClusterName, 20, 25)));
        await Portal.Scoped<SetClusterHeadroom, ClusterHeadroomView>(u => u.HandleAsync(PortalHarness.Admin, new SetClusterHeadroom.Command(host.ConnectionId, host.ClusterName, 5, 15)));

        var list = await Portal.Scoped<ListHeadroom, IReadOnlyList<ClusterHeadroomView>>(u => u.HandleAsync(Requester));
        var clusters = (await Portal.Db(db => db.Hosts.Select(h => new { h.ConnectionId, h.ClusterName }).ToListAsync())).Distinct().Count();
        Assert.Equal(clusters, list.Count);
        var set = Assert.Single(list, h => h.Configured);
        Assert.Equal((host.ClusterName, 5, 15, 3), (set.ClusterName, set.CpuPercent, set.MemoryPercent, set.HostCount));
        Assert.Equal(1, await Portal.Db(db => db.ClusterHeadrooms.CountAsync()));
    }

    private async Task<EvacuationProposal> ProposeAsync(string hostName) =>
        await Portal.Scoped<ProposeEvacuation, EvacuationProposal>(async u => await u.HandleAsync(PortalHarness.Operator, (await HostAsync(hostName)).Id));

    [Fact]
    public async Task Evacuation_NeverProposesATargetThatBreaksAMustRule()
    {
        var a1 = await VmsOnAsync("demo-esx-a1");
        var a2 = await VmsOnAsync("demo-esx-a2");
        var a3 = await HostAsync("demo-esx-a3");
        // Two replicas on the host being emptied and one already on a2: without the rule the planner spreads over a2 and a3.
        await CreateAsync("replicas", PlacementRuleKind.KeepApart, RuleEnforcement.Must, [a1[0].Id, a1[1].Id, a2[0].Id]);
        await CreateAsync("pinned", PlacementRuleKind.RunOnHostGroup, RuleEnforcement.Must, [a1[2].Id, a1[3].Id], [a3.Id]);

        var proposal = await ProposeAsync("demo-esx-a1");

        var replicas = proposal.Moves.Where(m => m.VmId == a1[0].Id || m.VmId == a1[1].Id).ToList();
        Assert.All(replicas, m => Assert.NotEqual("demo-esx-a2", m.Proposed?.TargetHostName));
        var placed = replicas.Where(m => m.Proposed is not null).Select(m => m.Proposed!.TargetHostId).ToList();
        Assert.Equal(placed.Count, placed.Distinct().Count());
        // Only a3 is left for both replicas in cluster A; cluster B takes the other, moving its storage.
        Assert.All(replicas, m => Assert.True(m.Proposed is not null || m.Note!.Contains("breaks a rule"), m.Note));
        Assert.All(proposal.Moves.Where(m => m.VmId == a1[2].Id || m.VmId == a1[3].Id), m => Assert.Equal("demo-esx-a3", m.Proposed!.TargetHostName));
    }

    [Fact]
    public async Task Evacuation_KeepsTheHeadroom_AndPrefersTargetsThatKeepShouldRules()
    {
        var a1 = await VmsOnAsync("demo-esx-a1");
        // Where the planner sends the VM with no rule; a Should rule against a VM there sends it elsewhere.
        var before = (await ProposeAsync("demo-esx-a1")).Moves.Single(m => m.VmId == a1[0].Id).Proposed!.TargetHostName;
        var thereVm = (await VmsOnAsync(before))[0];
        await CreateAsync("prefer apart", PlacementRuleKind.KeepApart, RuleEnforcement.Should, [a1[0].Id, thereVm.Id]);
        var proposal = await ProposeAsync("demo-esx-a1");
        var move = proposal.Moves.Single(m => m.VmId == a1[0].Id);
        Assert.NotNull(move.Proposed);
        Assert.NotEqual(before, move.Proposed!.TargetHostName);

        // A 90 % memory headroom on both clusters leaves no host room for anything.
        var host = await HostAsync("demo-esx-a1");
        foreach (var cluster in await Portal.Db(db => db.Hosts.Where(h => h.ConnectionId == host.ConnectionId).Select(h => h.ClusterName).Distinct().ToListAsync()))
            await Portal.Scoped<SetClusterHeadroom, ClusterHeadroomView>(u => u.HandleAsync(PortalHarness.Admin, new SetClusterHeadroom.Command(host.ConnectionId, cluster, 0, 90)));
        var full = await ProposeAsync("demo-esx-a1");
        Assert.All(full.Moves, m =>
        {
            Assert.Null(m.Proposed);
            Assert.Contains("memory headroom", m.Note);
        });
    }
}

public sealed class SqliteRuleTests() : RuleTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlRuleTests() : RuleTests(DatabaseProvider.PostgreSql);
