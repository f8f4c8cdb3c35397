using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Jobs;
using MigrationPortal.Infrastructure.Persistence;
using Hangfire;
using Hangfire.Storage;

namespace MigrationPortal.Web.Tests.Jobs;

/// <summary>The real Hangfire server (SQLite storage) turns the nudge after an auto-approval into a dispatched and finished migration.</summary>
public sealed class HangfireWebFactory : PortalWebFactory
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
    [
        ("Hangfire:ServerEnabled", "true"),
        ("Hangfire:WorkerCount", "2"),
        ("Hangfire:QueuePollInterval", "00:00:00.500"),
        ("Demo:MigrationDuration", "00:00:02"),
    ];
}

public sealed class HangfireExecutionTests(HangfireWebFactory factory) : IClassFixture<HangfireWebFactory>
{
    private const string Requester = "u-rita|Rita|Requester";
    private const string Administrator = "u-adam|Adam|Administrator";

    [Fact]
    public async Task AutoApprovedRequest_IsDispatchedAndRunByHangfire_ToSucceeded()
    {
        Guid vmId;
        string target;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var app = await db.Applications.Include(a => a.Owners).FirstAsync(a => a.Name == "demo-webshop");
            app.AddOwner(OwnerKind.User, "u-rita");
            await db.SaveChangesAsync();
            var vm = await db.Vms.Where(v => v.ApplicationId == app.Id && v.PowerState == PowerState.On).OrderBy(v => v.Name).FirstAsync();
            vmId = vm.Id;
            target = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync();
        }

        using var admin = factory.ClientFor(Administrator);
        using (var policy = await admin.PutAsJsonAsync("/api/v1/approval-rules", new[] { new { name = "webshop auto", outcome = "AutoApprove", requiredApprovals = 0 } }))
            Assert.Equal(HttpStatusCode.NoContent, policy.StatusCode);

        using var requester = factory.ClientFor(Requester);
        using var created = await requester.PostAsJsonAsync("/api/v1/requests", new { vmId, kind = "Compute", live = true, targetHostId = target, justification = "Hangfire end to end" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // Wait on state, not time: poll the request as the browser would, up to a generous cap, until it ends.
        var state = await Eventually.ValueAsync(async () =>
            {
                var details = await requester.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");
                return details.GetProperty("summary").GetProperty("state").GetString()!;
            }, s => s is "Succeeded" or "Failed" or "Cancelled", TimeSpan.FromSeconds(90), $"request {id} to end", TimeSpan.FromMilliseconds(250));

        Assert.Equal("Succeeded", state);
    }

    [Fact]
    public async Task SyncNow_Answers202AndHangfireRunsTheSync_ForOperator_AndRefusesRequester()
    {
        Guid connectionId;
        DateTimeOffset? before;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var demo = await db.Connections.FirstAsync(c => c.Endpoint == MigrationPortal.Infrastructure.Connectors.Demo.DemoWorldShape.Endpoint);
            connectionId = demo.Id;
            before = demo.LastSyncedAt;
        }

        using var requester = factory.ClientFor(Requester);
        using (var refused = await requester.PostAsync($"/api/v1/connections/{connectionId}/sync", null))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var operatorClient = factory.ClientFor("u-olga|Olga|Operator");
        using var accepted = await operatorClient.PostAsync($"/api/v1/connections/{connectionId}/sync", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        // The queued job, not the HTTP call, syncs: wait for the connection's last sync time to move past the request's time.
        var requestedAt = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestedAt").GetDateTimeOffset();
        var synced = await Eventually.ValueAsync(async () =>
            {
                await using var scope = factory.Services.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Connections.AsNoTracking().Where(c => c.Id == connectionId).Select(c => c.LastSyncedAt).FirstAsync();
            }, s => s >= requestedAt, TimeSpan.FromSeconds(60), $"the queued sync to set LastSyncedAt at or after {requestedAt:O}", TimeSpan.FromMilliseconds(250));

        Assert.True(synced >= requestedAt, $"LastSyncedAt {synced:O} (before: {before:O}) should be at or after the Sync now at {requestedAt:O}");
    }

    [Fact]
    public async Task InventorySyncJob_KeepsOneRecurringJobPerHypervisorConnection_AndDropsItWithTheConnection()
    {
        var connection = new Connection("vc-recurring", ConnectionKinds.VSphere, "https://vcenter.invalid/sdk", "svc");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.Connections.Add(connection);
            await db.SaveChangesAsync();
        }

        var jobId = PortalJobs.ConnectionInventoryJobPrefix + connection.Id;
        IReadOnlyList<string> RecurringIds()
        {
            using var storage = factory.Services.GetRequiredService<JobStorage>().GetConnection();
            return storage.GetRecurringJobs().Select(j => j.Id).ToList();
        }

        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<PortalJobs>().SyncAllInventoriesAsync("*/15 * * * *", CancellationToken.None);
        Assert.Contains(jobId, RecurringIds());
        Assert.DoesNotContain(RecurringIds(), id => id.StartsWith(PortalJobs.ConnectionInventoryJobPrefix, StringComparison.Ordinal) && id != jobId);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.Connections.Remove(await db.Connections.FirstAsync(c => c.Id == connection.Id));
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<PortalJobs>().SyncAllInventoriesAsync("*/15 * * * *", CancellationToken.None);
        }

        Assert.DoesNotContain(jobId, RecurringIds());
    }
}
