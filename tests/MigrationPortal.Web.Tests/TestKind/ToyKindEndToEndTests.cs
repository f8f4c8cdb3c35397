using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.TestKind;

/// <summary>
/// The measure of the connector seam: a kind that exists only in this folder, installed by one registration line
/// (<see cref="ToyKindWebFactory"/>), is added by an administrator, synced, requested, approved, dispatched within its own
/// limit, run, verified and audited, through the public API, with no other file knowing it.
/// </summary>
public sealed class ToyKindEndToEndTests(ToyKindWebFactory factory) : IClassFixture<ToyKindWebFactory>
{
    private const string Administrator = "u-adam|Adam|Administrator";
    private const string Requester = "u-rita|Rita|Requester";
    private const string Approver = "u-anna|Anna|Approver|toy-keepers";
    private const string Auditor = "u-aldo|Aldo|Auditor";

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, int seconds = 90)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (watch.Elapsed > TimeSpan.FromSeconds(seconds)) Assert.Fail($"Timed out waiting for {what}; last: {value}");
            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement> DetailsAsync(HttpClient client, Guid id) => await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");

    private static string StateOf(JsonElement details) => details.GetProperty("summary").GetProperty("state").GetString()!;

    [Fact]
    public async Task SaveConnection_Answers400NamingTheEndpoint_WithTheToyKindsOwnMessage()
    {
        using var admin = factory.ClientFor(Administrator);
        using var response = await admin.PostAsJsonAsync("/api/v1/connections", new { name = "toys-bad", kind = "toy", endpoint = "https://nursery.example" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains(errors.GetProperty("Endpoint").EnumerateArray(), m => m.GetString() == "A toy box address starts with toy://, such as toy://nursery.");
    }

    [Fact]
    public async Task ToyKind_RunsEndToEnd_QueuedByItsOwnPerPenLimit_ThenRunVerifiedAndAudited()
    {
        var endpoint = $"toy://nursery-{Guid.NewGuid():N}";
        var world = ToyWorld.For(endpoint);
        world.Add(new("teddy", "teddy", "pen-1", "shelf", "toy-app"));
        world.Add(new("robot", "robot", "pen-1", "shelf", "toy-app"));

        using var admin = factory.ClientFor(Administrator);
        using var created = await admin.PostAsJsonAsync("/api/v1/connections", new { name = "toy box", kind = "toy", endpoint, username = "keeper" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var connectionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // The first sync is queued when the connection is saved; Hangfire runs it through the toy connector.
        var vms = await EventuallyAsync(() => QueryAsync(db => db.Vms.Where(v => v.ConnectionId == connectionId).OrderBy(v => v.Name).ToListAsync()),
            v => v.Count == 2, "the toy inventory");
        await QueryAsync(async db =>
        {
            var app = await db.Applications.Include(a => a.Owners).FirstAsync(a => a.Name == "toy-app");
            app.AddOwner(OwnerKind.User, "u-rita");
            return await db.SaveChangesAsync();
        });

        // The kind's limit is listed with its descriptor's default, beside the portal's and the shipped kinds'.
        var limits = await admin.GetFromJsonAsync<JsonElement>("/api/v1/concurrency-limits");
        var toyLimits = limits.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "toy");
        var perPen = toyLimits.GetProperty("limits").EnumerateArray().Single();
        Assert.Equal(("toys-per-pen", 1), (perPen.GetProperty("resource").GetString(), perPen.GetProperty("value").GetInt32()));

        using (var rules = await admin.PutAsJsonAsync("/api/v1/approval-rules", new[] { new { name = "toys need a keeper", outcome = "RequireApprovals", requiredApprovals = 1, approverGroup = "toy-keepers" } }))
            Assert.Equal(HttpStatusCode.NoContent, rules.StatusCode);

        using var requester = factory.ClientFor(Requester);
        var ids = new List<Guid>();
        foreach (var vm in vms)
        {
            using var submitted = await requester.PostAsJsonAsync("/api/v1/requests", new { vmId = vm.Id, kind = "Compute", live = true, targetHostId = "pen-2", justification = "toys go to pen 2" });
            Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
            ids.Add((await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        Assert.All(await Task.WhenAll(ids.Select(id => DetailsAsync(requester, id))), d => Assert.Equal("PendingApproval", StateOf(d)));
        using var approver = factory.ClientFor(Approver);
        foreach (var id in ids)
            using (var approved = await approver.PostAsJsonAsync($"/api/v1/requests/{id}/approve", new { comment = "fine" }))
                Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync());

        // Both leave pen-1 for pen-2 and a pen takes one moving toy: one runs, held at the gate, and the other waits,
        // with the reason in the kind's own words.
        var queued = await EventuallyAsync(async () => await Task.WhenAll(ids.Select(id => DetailsAsync(requester, id))),
            all => all.Count(d => StateOf(d) == "Running") == 1 && all.Any(d => d.GetProperty("summary").GetProperty("queueReason").GetString() is { } r && r.Contains("toy pen", StringComparison.Ordinal)),
            "one toy moving and the other queued");
        var waiting = queued.Single(d => StateOf(d) != "Running").GetProperty("summary").GetProperty("queueReason").GetString();
        Assert.Matches(@"^Queued: waiting for toy pen pen-[12] \(1/1 in use\)\.$", waiting);
        // The running one reaches its transfer (after its photocopy) and is held there; the queued one never starts one.
        await EventuallyAsync(() => Task.FromResult(world.TransfersStarted), n => n >= 1, "the first toy's transfer");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, world.TransfersStarted);
        Assert.Single(await Task.WhenAll(ids.Select(id => DetailsAsync(requester, id))), d => StateOf(d) == "Running");

        world.OpenGate();
        var finished = await EventuallyAsync(async () => await Task.WhenAll(ids.Select(id => DetailsAsync(requester, id))),
            all => all.All(d => StateOf(d) is "Succeeded" or "Failed" or "Cancelled"), "both toys to finish");
        Assert.All(finished, d => Assert.Equal("Succeeded", StateOf(d)));
        Assert.Equal(["pen-2", "pen-2"], world.Vms.Values.Select(v => v.Host));
        Assert.Equal(2, world.TransfersStarted);
        Assert.Empty(world.Photocopies);
        foreach (var details in finished)
        {
            Assert.Equal("a photocopy of the toy, shredded after the move", details.GetProperty("safetyCopy").GetString());
            var verify = details.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "verify");
            Assert.Equal("Succeeded", verify.GetProperty("status").GetString());
            Assert.Contains("pen-2", verify.GetProperty("message").GetString());
        }

        // The inventory row follows the move at once, and the audit tells the story of each request on an intact chain.
        Assert.All(await QueryAsync(db => db.Vms.AsNoTracking().Where(v => v.ConnectionId == connectionId).ToListAsync()), v => Assert.Equal("pen-2", v.HostExternalId));
        using var auditor = factory.ClientFor(Auditor);
        foreach (var id in ids)
        {
            var audit = await auditor.GetFromJsonAsync<JsonElement>($"/api/v1/audit?requestId={id}&take=200");
            var events = audit.GetProperty("items").EnumerateArray().Select(e => (Action: e.GetProperty("action").GetString(), Details: e.GetProperty("details").GetString()!)).ToList();
            Assert.Contains(events, e => e.Action == "request.submitted");
            Assert.Contains(events, e => e.Action == "request.approved");
            Assert.Contains(events, e => e.Action == "request.transition" && e.Details.Contains("Succeeded", StringComparison.Ordinal));
        }

        using var verified = await auditor.PostAsync("/api/v1/audit/verify", null);
        Assert.True((await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("isIntact").GetBoolean());
    }

    private async Task<T> QueryAsync<T>(Func<PortalDbContext, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }
}
