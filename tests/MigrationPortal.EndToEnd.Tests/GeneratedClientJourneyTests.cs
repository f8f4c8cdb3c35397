using System.Net.Http.Headers;
using System.Text;
using MigrationPortal.ApiClient;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The main API journeys driven only through the C# client that NSwag generates at build time from the committed
/// document (docs/openapi/v1.json, tests/MigrationPortal.ApiClient), against a real portal on Kestrel with real personal
/// access tokens. Nothing here writes a URL or reads JSON by hand: a route, a body, an enum or an error the document gets
/// wrong either stops this file compiling or makes the generated client throw here.
/// </summary>
public sealed class GeneratedClientJourneyTests(PortalServer portal) : IClassFixture<PortalServer>, IDisposable
{
    private static readonly TimeSpan FollowFor = TimeSpan.FromMinutes(3);
    private readonly List<HttpClient> _http = [];

    public void Dispose()
    {
        foreach (var http in _http) http.Dispose();
    }

    [Fact]
    public async Task MainJourney_SubmitsApprovesFollowsToSucceededAndExportsTheAudit_WhenDrivenThroughTheGeneratedClient()
    {
        var rita = await ClientWithTokenAsync("rita", "journey", roles: null);

        // The requester's VMs and where the first one may go (the hypervisor's host IDs, same cluster first).
        var vms = await rita.ListVmsAsync(search: null, applicationId: null, host: null, cluster: null, datastore: null, powerState: null,
            connectionId: null, sortBy: "name", descending: false, skip: 0, take: 10);
        Assert.True(vms.Total > 0, "rita owns demo-payments, so she sees at least one VM");
        var vm = vms.Items.First(v => v.HostExternalId is not null);
        Assert.True(Enum.IsDefined(vm.PowerState), $"VM {vm.Name} has power state {vm.PowerState}");
        var targets = await rita.ListVmTargetsAsync(vm.Id);
        Assert.Equal(vm.Id, targets.VmId);
        var target = targets.Hosts.First(h => h.SameCluster && h.Usable);
        Assert.NotEqual(vm.HostExternalId, target.ExternalId);

        // Submitted by the VM's hypervisor ID, as a pipeline that knows "vm-42" from vCenter would, with its connection to say which.
        Assert.False(string.IsNullOrEmpty(vm.ExternalId), $"VM {vm.Name} lists no hypervisor ID");
        var submitted = await rita.SubmitRequestAsync(new SubmitRequestBody
        {
            VmId = vm.ExternalId, ConnectionId = vm.ConnectionId, Kind = MigrationKind.Compute, Live = true, TargetHostId = target.ExternalId, TargetDatastoreId = null,
            Justification = "Generated-client journey", ScheduleMode = ScheduleMode.AsSoonAsApproved,
        });
        Assert.Equal(MigrationKind.Compute, submitted.Kind);
        Assert.Equal(RequestState.PendingApproval, submitted.State);
        Assert.Equal(vm.Name, submitted.VmName);

        // A second active request for the same VM is refused with a 409 ProblemDetails, read as the generated type.
        // The same VM by its portal ID: the same VM, so the same conflict.
        var conflict = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => rita.SubmitRequestAsync(new SubmitRequestBody
        {
            VmId = vm.Id.ToString(), Kind = MigrationKind.Compute, Live = true, TargetHostId = target.ExternalId, Justification = "Again",
        }));
        Assert.Equal(409, conflict.StatusCode);
        Assert.Equal(409, conflict.Result.Status);
        Assert.Contains(submitted.Id.ToString(), conflict.Result.Detail);

        // Another user approves, with a token narrowed to the Approver role.
        var anna = await ClientWithTokenAsync("anna", "journey", roles: ["Approver"]);
        var approved = await anna.ApproveRequestAsync(submitted.Id, new DecisionBody { Comment = "Approved through the generated client" });
        Assert.Equal(submitted.Id, approved.Id);
        Assert.NotEqual(RequestState.PendingApproval, approved.State);

        var state = await FollowAsync(rita, submitted.Id);
        Assert.True(state == RequestState.Succeeded, $"The request ended {state}: {await portal.DescribeRequestAsync(submitted.Id)}");
        var details = await rita.GetRequestAsync(submitted.Id);
        Assert.Equal("Generated-client journey", details.Justification);
        Assert.Contains(target.Name, details.Summary.Target);
        Assert.Contains(details.Transitions, t => t.To == RequestState.Running);
        var mineSucceeded = await rita.ListRequestsAsync(RequestState.Succeeded, mine: true, skip: 0, take: 50);
        Assert.Contains(mineSucceeded.Items, r => r.Id == submitted.Id);

        // The auditor reads the request's trail, then exports it as CSV.
        var aldo = await ClientWithTokenAsync("aldo", "journey", roles: null);
        var trail = await aldo.QueryAuditAsync(from: null, to: null, actor: null, vm: null, requestId: submitted.Id, action: null,
            skip: null, take: null, page: 1, pageSize: 100);
        var actions = trail.Items.Select(e => e.Action).ToList();
        Assert.Contains("request.submitted", actions);
        Assert.Contains("request.approved", actions);
        Assert.All(trail.Items, e => Assert.Equal(submitted.Id, e.RequestId));

        using var export = await aldo.ExportAuditAsync(from: null, to: null, actor: null, vm: null, requestId: submitted.Id, action: null,
            skip: null, take: null, page: null, pageSize: null, format: "csv");
        Assert.Equal(200, export.StatusCode);
        using var reader = new StreamReader(export.Stream, Encoding.UTF8);
        var csv = await reader.ReadToEndAsync();
        Assert.Contains("request.submitted", csv);
        Assert.Contains("request.approved", csv);
        Assert.Contains(submitted.Id.ToString(), csv);
    }

    [Fact]
    public async Task AccessTokens_AreCreatedListedAndRevoked_WhenDrivenThroughTheGeneratedClient()
    {
        var created = await Client(Basic("otto")).CreateAccessTokenAsync(new AccessTokenBody { Name = "short-lived", ExpiresInDays = 1, Roles = ["Requester"] });
        Assert.StartsWith("mpat_", created.Secret);
        Assert.Equal("short-lived", created.Token.Name);
        Assert.Equal(["Requester"], created.Token.Roles);

        var otto = Client(new AuthenticationHeaderValue("Bearer", created.Secret));
        var mine = await otto.ListAccessTokensAsync(all: null);
        var listed = Assert.Single(mine, t => t.Id == created.Token.Id);
        Assert.Null(listed.RevokedAt);
        Assert.True(listed.ExpiresAt > TimeProvider.System.GetUtcNow(), $"expires {listed.ExpiresAt}");

        // Revoked by its owner through a second token (204, no body), the first token no longer signs in.
        var second = await ClientWithTokenAsync("otto", "revoker", roles: null);
        await second.RevokeAccessTokenAsync(created.Token.Id);
        var revoked = Assert.Single(await second.ListAccessTokensAsync(all: null), t => t.Id == created.Token.Id);
        Assert.NotNull(revoked.RevokedAt);
        var refused = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => otto.ListAccessTokensAsync(all: null));
        Assert.Equal(401, refused.StatusCode);
        Assert.Equal(401, refused.Result.Status);

        // A token that is not there is a 404 ProblemDetails.
        var missing = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => second.RevokeAccessTokenAsync(Guid.NewGuid()));
        Assert.Equal(404, missing.StatusCode);
    }

    [Fact]
    public async Task Errors_AreReadAsTheDocumentedProblemDetails_WhenDrivenThroughTheGeneratedClient()
    {
        var rita = await ClientWithTokenAsync("rita", "errors", roles: null);
        var vm = (await rita.ListVmsAsync(search: null, applicationId: null, host: null, cluster: null, datastore: null, powerState: null,
            connectionId: null, sortBy: "name", descending: true, skip: 0, take: 1)).Items.Single();

        // 400: the field errors arrive in the generated HttpValidationProblemDetails, keyed by the failing field.
        var invalid = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => rita.SubmitRequestAsync(new SubmitRequestBody
        {
            VmId = vm.Id.ToString(), Kind = MigrationKind.Compute, Live = true, TargetHostId = null, Justification = "",
        }));
        Assert.Equal(400, invalid.StatusCode);
        Assert.Equal(400, invalid.Result.Status);
        Assert.NotNull(invalid.Result.Errors);
        Assert.Contains("Justification", invalid.Result.Errors.Keys);
        Assert.Contains("TargetHostId", invalid.Result.Errors.Keys);
        Assert.All(invalid.Result.Errors.Values, messages => Assert.NotEmpty(messages));

        // 400 on the VM's field: a hypervisor ID that names none of the caller's VMs.
        var unknownVm = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => rita.SubmitRequestAsync(new SubmitRequestBody
        {
            VmId = "vm-no-such-vm", Kind = MigrationKind.Compute, Live = true, TargetHostId = "host-1", Justification = "Unknown VM",
        }));
        Assert.Equal(400, unknownVm.StatusCode);
        Assert.Equal(new[] { "VmId" }, unknownVm.Result.Errors!.Keys);

        // 404: a request that does not exist.
        var notFound = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => rita.GetRequestAsync(Guid.NewGuid()));
        Assert.Equal(404, notFound.StatusCode);
        Assert.Equal("Not found.", notFound.Result.Title);

        // 403: the accounts are for administrators.
        var refused = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => rita.ListUsersAsync());
        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(403, refused.Result.Status);

        // 401: no credentials at all, answered with the ProblemDetails the document promises (it was an empty body).
        var unauthorized = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => Client(null).ListVmsAsync(null, null, null, null, null, null, null, null, null, null, null));
        Assert.Equal(401, unauthorized.StatusCode);
        Assert.Equal("Not signed in.", unauthorized.Result.Title);
    }

    /// <summary>A token made with the account's password (HTTP Basic, as a script's first call would), and a client that sends it.</summary>
    private async Task<PortalApiClient> ClientWithTokenAsync(string user, string name, ICollection<string>? roles)
    {
        var created = await Client(Basic(user)).CreateAccessTokenAsync(new AccessTokenBody { Name = $"{name}-{Guid.NewGuid():N}"[..30], ExpiresInDays = 1, Roles = roles });
        Assert.StartsWith("mpat_", created.Secret);
        return Client(new AuthenticationHeaderValue("Bearer", created.Secret));
    }

    /// <summary>The generated client on the portal's address; redirects are not followed, so a 302 to the sign-in page would show.</summary>
    private PortalApiClient Client(AuthenticationHeaderValue? authorization)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(portal.BaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = authorization;
        _http.Add(http);
        return new PortalApiClient(http);
    }

    private static AuthenticationHeaderValue Basic(string user) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{PortalServer.Password}")));

    private static async Task<RequestState> FollowAsync(PortalApiClient client, Guid id)
    {
        RequestState[] ended = [RequestState.Succeeded, RequestState.Failed, RequestState.RolledBack, RequestState.Cancelled, RequestState.Rejected, RequestState.Expired];
        var deadline = TimeProvider.System.GetUtcNow() + FollowFor;
        while (true)
        {
            var state = (await client.GetRequestAsync(id)).Summary.State;
            if (ended.Contains(state) || TimeProvider.System.GetUtcNow() > deadline) return state;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
