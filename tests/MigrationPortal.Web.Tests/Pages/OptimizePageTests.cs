using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Optimization;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Tests.Components;
using MudBlazor;
using OptimizePage = MigrationPortal.Web.Components.Pages.Optimize;

namespace MigrationPortal.Web.Tests.Pages;

/// <summary>
/// The Optimize page (issue 15 §3) on a small cluster added to the demo connection: one loaded host and two idle ones, so
/// balance moves VMs and consolidation frees hosts. The what-if, the justification beside its field, and the batch link.
/// </summary>
public sealed class OptimizePageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    private static readonly System.Security.Claims.ClaimsPrincipal Olga = User("u-olga", "Olga", "Operator");

    private async Task<string> SeedClusterAsync(bool spread = false)
    {
        var cluster = $"page-{Guid.NewGuid():N}"[..13];
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = await db.Connections.Where(c => c.Endpoint == DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync();
        var app = await db.Applications.Where(a => a.Name == "demo-payments").Select(a => a.Id).FirstAsync();
        var hosts = Enumerable.Range(1, 3).Select(i => $"{cluster}-h{i}").ToList();
        foreach (var h in hosts)
            db.Hosts.Add(new InventoryHost { ConnectionId = connection, ExternalId = h, Name = h, ClusterName = cluster, CpuCores = 16, MemoryMb = 65536, MemoryUsedMb = 1024 });
        db.Datastores.Add(new InventoryDatastore { ConnectionId = connection, ExternalId = $"{cluster}-ds", Name = $"{cluster}-ds", CapacityGb = 1000, FreeGb = 900,
            MountedOnHosts = string.Join(",", hosts) });
        for (var i = 1; i <= 4; i++)
            db.Vms.Add(new InventoryVm { ConnectionId = connection, ExternalId = $"{cluster}-vm{i}", Name = $"{cluster}-vm{i}",
                HostExternalId = hosts[spread ? i % 3 : 0], HostName = hosts[spread ? i % 3 : 0],
                ClusterName = cluster, Datastores = $"{cluster}-ds", Cpus = 2, MemoryMb = 8192, ProvisionedGb = 20, UsedGb = 10, ApplicationId = app, SyncedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return cluster;
    }

    private async Task ChooseAsync(IRenderedComponent<OptimizePage> cut, string cluster, OptimizationStrategy strategy)
    {
        // The select lists the groups in the use case's order; its items render only while it is open.
        await using var scope = Factory.Services.CreateAsyncScope();
        var listed = await scope.ServiceProvider.GetRequiredService<ListOptimizationGroups>()
            .HandleAsync(new Application.Authorization.PortalUser("u-olga", "Olga", new HashSet<string> { "Operator" }, new HashSet<string>()));
        var index = listed.Select((g, n) => (g, n)).First(x => x.g.ClusterName == cluster).n;
        var groups = cut.FindComponent<MudSelect<int>>();
        cut.WaitForAssertion(() => Assert.False(cut.Find("button[data-testid=optimize-run]").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        await cut.InvokeAsync(() => groups.Instance.ValueChanged.InvokeAsync(index));
        await cut.InvokeAsync(() => cut.FindComponent<MudRadioGroup<OptimizationStrategy>>().Instance.ValueChanged.InvokeAsync(strategy));
        if (strategy == OptimizationStrategy.Balance)
            await cut.InvokeAsync(() => cut.FindComponents<MudSelect<int>>()[1].Instance.ValueChanged.InvokeAsync(5));
        await cut.Find("button[data-testid=optimize-run]").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => cut.Find("[data-testid=optimize-result]"), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Balance_ShowsTheWhatIfAndMoves_AsksForAJustificationBesideItsField_ThenLinksToTheBatch()
    {
        var cluster = await SeedClusterAsync();
        var cut = RenderAs<OptimizePage>(Olga);
        Assert.Equal("Optimize", cut.Find("h1").TextContent.Trim());

        await ChooseAsync(cut, cluster, OptimizationStrategy.Balance);

        Assert.Equal(3, cut.FindAll("[data-testid=optimize-host-row]").Count);
        Assert.NotEmpty(cut.FindAll(".mud-chart"));
        var moves = cut.FindAll("[data-testid=optimize-move-row]");
        Assert.NotEmpty(moves);
        Assert.All(moves, m => Assert.Contains($"{cluster}-h1", m.TextContent));
        Assert.Contains("No maintenance window covers these VMs", cut.Find("[data-testid=optimize-window]").TextContent);
        // Each move's planned start and end from the batch's schedule, under labelled column headers; no window covers them.
        Assert.Equal(["#", "VM", "From", "To", "Estimated duration", "Planned start", "Planned end", "Window", "Waits for"],
            cut.FindAll("[data-testid=optimize-moves] thead th").Select(h => h.TextContent.Trim()));
        Assert.All(moves, m =>
        {
            var start = DateTimeOffset.Parse(m.QuerySelector("[data-testid=optimize-move-start]")!.TextContent);
            var end = DateTimeOffset.Parse(m.QuerySelector("[data-testid=optimize-move-end]")!.TextContent);
            Assert.True(end > start, $"{start:u} → {end:u}");
            Assert.Equal("none needed", m.QuerySelector("[data-testid=optimize-move-window]")!.TextContent);
        });
        Assert.Contains("at their configured vCPUs and memory", cut.Find("[data-testid=optimize-demand]").TextContent);

        await cut.Find("button[data-testid=optimize-accept]").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => Assert.Contains("Say why these VMs should move.",
            cut.Find("[data-testid=optimize-justification]").Closest(".mud-input-control")?.TextContent ?? ""), TimeSpan.FromSeconds(10));

        var field = cut.FindComponent<MudTextField<string>>();
        await cut.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync("Spread the page cluster"));
        await cut.Find("button[data-testid=optimize-accept]").ClickAsync(new MouseEventArgs());
        cut.WaitForAssertion(() => cut.Find("[data-testid=optimize-accepted]"), TimeSpan.FromSeconds(20));
        var href = cut.Find("[data-testid=optimize-batch-link]").GetAttribute("href")!;
        Assert.StartsWith("/batches/", href);
        var batchId = Guid.Parse(href["/batches/".Length..]);
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(moves.Count, await db.Requests.CountAsync(r => r.BatchId == batchId));
    }

    [Fact]
    public async Task Consolidate_ShowsHostsFreedPowerCostAndTheSolversGap()
    {
        var cluster = await SeedClusterAsync(spread: true);
        var cut = RenderAs<OptimizePage>(Olga);

        await ChooseAsync(cut, cluster, OptimizationStrategy.Consolidate);

        // Four 8 GB VMs over three 64 GB hosts fit on one: two hosts freed, at the default 350 W and 0.25 per kWh.
        Assert.Contains("free 2 host(s)", cut.Find("[data-testid=optimize-summary]").TextContent);
        Assert.Contains("2 host(s) freed: 700 W, 511 kWh and 127.75 per month", cut.Find("[data-testid=optimize-savings]").TextContent);
        Assert.Contains("(gap 0)", cut.Find("[data-testid=optimize-solver]").TextContent);
        Assert.Equal(2, cut.FindAll("[data-testid=optimize-host-row]").Count(r => r.TextContent.Contains("freed")));
        Assert.NotEmpty(cut.FindAll("button[data-testid=optimize-accept]"));
    }

    [Fact]
    public async Task Consolidate_SaysThereIsNothingToFree_AndOffersNoAccept_WhenOneHostCarriesEverything()
    {
        var cluster = await SeedClusterAsync();
        var cut = RenderAs<OptimizePage>(Olga);

        await ChooseAsync(cut, cluster, OptimizationStrategy.Consolidate);

        Assert.Contains("free 0 host(s)", cut.Find("[data-testid=optimize-summary]").TextContent);
        Assert.NotEmpty(cut.FindAll("[data-testid=optimize-no-moves]"));
        Assert.Empty(cut.FindAll("[data-testid=optimize-accept]"));
    }

    [Fact]
    public async Task Optimize_ShowsTheForbiddenPage_ToAnApprover()
    {
        RenderAs<OptimizePage>(User("u-anna", "Anna", "Approver"));
        await Task.Yield();
        Assert.EndsWith("/forbidden", Services.GetRequiredService<NavigationManager>().Uri);
    }
}
