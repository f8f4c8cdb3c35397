using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Batches;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Components.Pages;
using MigrationPortal.Web.Tests.Components;

namespace MigrationPortal.Web.Tests.Pages;

/// <summary>The page a batch lands on after submission: its requests with their states, for whoever may see them.</summary>
public sealed class BatchDetailPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    /// <summary>A batch of two of the requester's VMs, each moving to another host of its own cluster.</summary>
    private async Task<BatchView> SubmitBatchAsync(string tag)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var app = await db.Applications.Include(a => a.Owners).FirstAsync(a => a.Name == "demo-payments");
        if (app.Owners.All(o => o.Principal != TestUsers.Requester.Id)) app.AddOwner(OwnerKind.User, TestUsers.Requester.Id);
        await db.SaveChangesAsync();
        var busy = await db.Requests.Where(r => MigrationPortal.Application.Requests.RequestLoading.ActiveStates.Contains(r.State)).Select(r => r.VmId).ToListAsync();
        var vms = await db.Vms.Where(v => v.ApplicationId == app.Id && !busy.Contains(v.Id) && v.PowerState == PowerState.On).OrderBy(v => v.Name).Take(2).ToListAsync();
        var hosts = await db.Hosts.ToListAsync();
        var items = vms.Select(v => new SubmitBatch.Item(v.Id, MigrationKind.Compute, true, hosts.First(h => h.ClusterName == v.ClusterName && h.ExternalId != v.HostExternalId).ExternalId, null)).ToList();
        return await scope.ServiceProvider.GetRequiredService<SubmitBatch>().HandleAsync(TestUsers.Requester, new SubmitBatch.Command($"Batch {tag}", $"Rack {tag} is retired", items));
    }

    [Fact]
    public async Task BatchPage_ListsEachRequestWithItsState_ForTheRequester()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var batch = await SubmitBatchAsync(tag);
        var cut = RenderAs<BatchDetail>(User(TestUsers.Requester.Id, TestUsers.Requester.Name, "Requester"), p => p.Add(c => c.Id, batch.Id));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=batch-request]").Count), TimeSpan.FromSeconds(30));
        Assert.Contains($"Batch {tag}", cut.Find("[data-testid=batch-title]").TextContent);
        Assert.Contains($"Rack {tag} is retired", cut.Find("[data-testid=batch-justification]").TextContent);
        var rows = cut.FindAll("[data-testid=batch-request]");
        Assert.Equal(batch.Requests.Select(r => r.VmName).Order(StringComparer.OrdinalIgnoreCase), rows.Select(r => r.QuerySelector("a")!.TextContent.Trim()));
        Assert.All(rows, r => Assert.Contains("Pending approval", r.TextContent));
        Assert.Equal(batch.Requests.Select(r => $"/requests/{r.Id}").Order(), rows.Select(r => r.QuerySelector("a")!.GetAttribute("href")!).Order());
        Assert.Contains("2 Pending approval", cut.Find("[data-testid=batch-states]").TextContent);
    }

    [Fact]
    public async Task BatchPage_ShowsTheForbiddenPage_WhenTheUserMaySeeNoneOfItsRequests()
    {
        var batch = await SubmitBatchAsync(Guid.NewGuid().ToString("N")[..6]);
        RenderAs<BatchDetail>(User("u-stranger", "Stranger", "Requester"), p => p.Add(c => c.Id, batch.Id));
        var navigation = Services.GetRequiredService<NavigationManager>();
        await Task.Yield();
        Assert.EndsWith("/forbidden", navigation.Uri);
    }
}
