using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Telemetry;

/// <summary>Runs one auto-approved live compute move of a demo VM through the API and Hangfire, to its end.</summary>
internal static class DemoMigration
{
    public const string Requester = "u-rita|Rita|Requester";
    private const string Administrator = "u-adam|Adam|Administrator";

    /// <summary>
    /// A client as <paramref name="header"/>'s user, sent to the factory's own address: on Kestrel that is the real port
    /// (the client options' default, http://localhost, would reach port 80).
    /// </summary>
    public static HttpClient Client(PortalWebFactory factory, string header)
    {
        var client = factory.ClientFor(header);
        client.BaseAddress = factory.ClientOptions.BaseAddress;
        return client;
    }

    /// <summary>Returns the request's ID and its final state.</summary>
    public static async Task<(Guid Id, string State)> RunAsync(PortalWebFactory factory, string justification)
    {
        Guid vmId;
        string target;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var app = await db.Applications.Include(a => a.Owners).FirstAsync(a => a.Name == "demo-webshop");
            if (app.Owners.All(o => o.Principal != "u-rita")) app.AddOwner(OwnerKind.User, "u-rita");
            await db.SaveChangesAsync();
            var vm = await db.Vms.Where(v => v.ApplicationId == app.Id && v.PowerState == PowerState.On).OrderBy(v => v.Name).FirstAsync();
            vmId = vm.Id;
            target = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync();
        }

        using var admin = Client(factory, Administrator);
        using (var policy = await admin.PutAsJsonAsync("/api/v1/approval-rules", new[] { new { name = "webshop auto", outcome = "AutoApprove", requiredApprovals = 0 } }))
            Assert.Equal(HttpStatusCode.NoContent, policy.StatusCode);

        using var requester = Client(factory, Requester);
        using var created = await requester.PostAsJsonAsync("/api/v1/requests", new { vmId, kind = "Compute", live = true, targetHostId = target, justification });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var state = await Eventually.ValueAsync(async () =>
            {
                var details = await requester.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");
                return details.GetProperty("summary").GetProperty("state").GetString()!;
            }, s => s is "Succeeded" or "Failed" or "Cancelled", TimeSpan.FromSeconds(90), $"request {id} to end", TimeSpan.FromMilliseconds(250));
        return (id, state);
    }
}
