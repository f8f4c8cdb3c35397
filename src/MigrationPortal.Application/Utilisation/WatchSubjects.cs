using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Utilisation;

/// <summary>
/// Whose samples a post-move watch compares. A move within one hypervisor keeps the VM's inventory row, so "before" and
/// "after" are the same VM. A conversion (VMware → KVM) ends with another row: the domain it defined, on the destination
/// connection, found by what the define-domain step saved (UUID or name) once the inventory sync after the commit has listed it.
/// Until then there is no "after" VM, and the watch's figures say so rather than read the powered-off source.
/// </summary>
public static class WatchSubjects
{
    /// <summary>The VM measured after the move, or null while a converted domain is not in the inventory yet.</summary>
    public static async Task<Guid?> AfterVmIdAsync(IPortalDb db, MigrationRequest request, CancellationToken ct)
    {
        if (request.Kind != MigrationKind.CrossPlatform) return request.VmId;
        if (await ConvertedDomainAsync(db, request.Id, ct) is not { } domain) return null;
        var destination = request.Target.ConnectionId;
        // The UUID when the conversion kept the source's (libvirt's UUID is the inventory's external ID); otherwise libvirt
        // chose one, and the name the step defined is what identifies it: unique among the connection's domains, or unknown.
        if (domain.Uuid is { } uuid)
            return await db.Vms.AsNoTracking().Where(v => v.ConnectionId == destination && v.ExternalId == uuid).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
        if (domain.Name is not { } name) return null;
        var named = await db.Vms.AsNoTracking().Where(v => v.ConnectionId == destination && v.Name == name).Select(v => v.Id).Take(2).ToListAsync(ct);
        return named.Count == 1 ? named[0] : null;
    }

    /// <summary>
    /// Before and after are measured on two platforms: CPU used (MHz) and CPU waiting (vSphere's ready, KVM's steal: the share
    /// of time the vCPU was ready but not run) mean the same on both, memory does not (vSphere's guest active memory against
    /// the QEMU process's resident memory), so a conversion's memory figure is shown, never judged.
    /// </summary>
    public static bool CrossesPlatforms(MigrationRequest request) => request.Kind == MigrationKind.CrossPlatform;

    // Read from the step row itself, so callers need not have loaded the request's steps.
    private static async Task<DefinedDomain?> ConvertedDomainAsync(IPortalDb db, Guid requestId, CancellationToken ct)
    {
        var json = await db.Requests.AsNoTracking().Where(r => r.Id == requestId)
            .SelectMany(r => r.Steps).Where(s => s.Name == ItinerarySteps.DefineDomain).Select(s => s.Data).FirstOrDefaultAsync(ct);
        if (json is null) return null;
        try
        {
            return JsonSerializer.Deserialize<DefinedDomain>(json, StepJson);
        }
        catch (JsonException)
        {
            // Saved by a release in another shape: no "after" VM rather than a failed watch.
            return null;
        }
    }

    private static readonly JsonSerializerOptions StepJson = new(JsonSerializerDefaults.Web);

    /// <summary>What the define-domain step saved before defining the domain (its name, and its UUID when the source's was kept).</summary>
    private sealed record DefinedDomain(string? Name, string? Uuid);
}
