using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>A 403 for another application's VM says only that the VM is not the caller's: it never names the VM.</summary>
public sealed class ForbiddenDisclosureTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    private const string Stranger = "u-stan|Stan|Requester";

    [Fact]
    public async Task Submit_Answers403WithoutVmName_WhenVmBelongsToAnotherApplication()
    {
        var (vmId, vmName, host) = await PaymentsVmAsync();
        using var client = factory.ClientFor(Stranger);
        using var response = await client.PostAsJsonAsync("/api/v1/requests", new { vmId, kind = 0, live = false, targetHostId = host, justification = "not mine" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(vmName, body);
        Assert.Contains("not one of yours", body);
    }

    [Fact]
    public async Task GetVm_RefusesWithoutVmName_WhenVmBelongsToAnotherApplication()
    {
        var (vmId, vmName, _) = await PaymentsVmAsync();
        await using var scope = factory.Services.CreateAsyncScope();
        var stranger = new PortalUser("u-stan", "Stan", new HashSet<string> { Roles.Requester }, new HashSet<string>());
        var refused = await Assert.ThrowsAsync<ForbiddenException>(() => scope.ServiceProvider.GetRequiredService<GetVm>().HandleAsync(stranger, vmId));
        Assert.DoesNotContain(vmName, refused.Message);
        Assert.Contains("not one of yours", refused.Message);
    }

    private async Task<(Guid Id, string Name, string Host)> PaymentsVmAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var vm = await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == "demo-payments")).OrderBy(v => v.Name).FirstAsync();
        var host = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync();
        return (vm.Id, vm.Name, host);
    }
}
