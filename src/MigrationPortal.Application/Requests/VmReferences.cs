using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// The VM a request, batch or evacuation body names, turned into the portal ID the use cases take
/// (<see cref="SubmitRequest.Command.VmId"/> stays a <see cref="Guid"/>, so code that already holds one calls them as before).
/// A script may name the VM by its portal ID, by its hypervisor ID (vSphere "vm-42", a libvirt domain UUID) or, failing
/// both, by its name, as a wave file does; the connection disambiguates a hypervisor ID or name that several connections
/// share (hypervisor IDs are unique per connection only). Targets need nothing here: <see cref="SubmitRequest"/> already
/// resolves a host or datastore of either form inside the VM's connection.
/// </summary>
/// <remarks>
/// A portal ID is looked up among all VMs, so another application's VM is refused by the use case (403, audited) exactly as
/// before. A hypervisor ID or name is looked up only among the VMs the caller may see, so those texts cannot be used to probe
/// for VMs that are not theirs: unseen ones read as unknown, as in a wave file.
/// </remarks>
public sealed class VmReferences(IPortalDb db, AccessGuard guard)
{
    /// <summary>A VM as a body names it: the text, the connection that disambiguates it, and the error key of its field ("Items[2].VmId").</summary>
    public sealed record Reference(string? Text, Guid? ConnectionId, string Field);

    /// <summary>
    /// The portal IDs of <paramref name="references"/>, in order, read in a fixed number of queries. Every reference that names
    /// no VM, or several, is reported at once as a 400 keyed by its field, naming the candidates and how to choose among them.
    /// </summary>
    /// <param name="onHostId">For an evacuation: the host being emptied, whose connection scopes every reference.</param>
    public async Task<IReadOnlyList<Guid>> ResolveAsync(PortalUser user, IReadOnlyList<Reference> references, CancellationToken ct, Guid? onHostId = null)
    {
        Guid? scope = null;
        if (onHostId is { } hostId)
        {
            // The evacuation's own answers come first, in its order: an unknown host is 404 and a caller who may not empty
            // hosts is 403 (audited), whatever the moves say.
            scope = await db.Hosts.AsNoTracking().Where(h => h.Id == hostId).Select(h => (Guid?)h.ConnectionId).FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException("Host", hostId);
            await guard.RequireRoleAsync(user, "host.evacuate", ct, Roles.Operator, Roles.Administrator);
        }

        var check = new Validation();
        foreach (var reference in references)
        {
            check.Text(reference.Text, reference.Field, TextLimits.ExternalId, "Name the VM: its portal ID ('id' in /api/v1/vms), its hypervisor ID ('externalId') or its name.");
        }

        check.ThrowIfInvalid();

        var texts = references.Select(r => r.Text!.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var portalIds = texts.Select(t => Guid.TryParse(t, out var g) ? g : (Guid?)null).OfType<Guid>().ToList();
        var byPortalId = portalIds.Count == 0 ? [] : await db.Vms.AsNoTracking().Where(v => portalIds.Contains(v.Id))
            .Select(v => new Candidate(v.Id, v.ConnectionId, v.ExternalId, v.Name)).ToListAsync(ct);
        var visible = await guard.VisibleVmsAsync(user, ct);
        var byText = await visible.AsNoTracking().Where(v => texts.Contains(v.ExternalId) || texts.Contains(v.Name))
            .Select(v => new Candidate(v.Id, v.ConnectionId, v.ExternalId, v.Name)).ToListAsync(ct);
        var connectionIds = byText.Select(c => c.ConnectionId).Distinct().ToList();
        var connectionNames = await db.Connections.AsNoTracking().Where(c => connectionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);

        var resolved = new List<Guid>(references.Count);
        foreach (var reference in references)
        {
            var text = reference.Text!.Trim();
            var connection = scope ?? reference.ConnectionId;
            bool InConnection(Candidate c) => connection is null || c.ConnectionId == connection;
            var portalId = Guid.TryParse(text, out var parsed) ? parsed : (Guid?)null;
            // A portal ID and a hypervisor ID are both exact: either may answer, and when they name different VMs that is ambiguous.
            var matches = byPortalId.Where(c => c.Id == portalId && InConnection(c))
                .Concat(byText.Where(c => c.ExternalId == text && InConnection(c)))
                .DistinctBy(c => c.Id).ToList();
            // A name is a last resort (names are not unique, even in one connection).
            if (matches.Count == 0) matches = byText.Where(c => c.Name == text && InConnection(c)).DistinctBy(c => c.Id).ToList();

            if (matches.Count == 1)
            {
                resolved.Add(matches[0].Id);
                continue;
            }

            resolved.Add(Guid.Empty);
            if (matches.Count == 0)
            {
                check.Add(reference.Field, connection is null
                    ? $"No VM you may request has the portal ID, hypervisor ID or name '{Shorten(text)}'. /api/v1/vms lists yours with both IDs."
                    : $"No VM you may request in connection {connection} has the portal ID, hypervisor ID or name '{Shorten(text)}'. /api/v1/vms?connectionId={connection} lists them.");
                continue;
            }

            var candidates = string.Join("; ", matches.Select(c => Describe(c, text, portalId, connectionNames)));
            var advice = connection is null && matches.Select(c => c.ConnectionId).Distinct().Count() == matches.Count
                ? "Say which with the VM's connectionId, or send its portal ID."
                : "Send the portal ID of the VM you mean ('id' in /api/v1/vms), or, for the VM whose portal ID this is, its hypervisor ID.";
            check.Add(reference.Field, $"'{Shorten(text)}' names {matches.Count} VMs: {candidates}. {advice}");
        }

        check.ThrowIfInvalid();
        return resolved;
    }

    /// <summary>
    /// One candidate of an ambiguous reference. The VM a portal ID names is not described: it may be one the caller cannot
    /// see, and the caller already holds its ID; the others were found among the VMs the caller sees.
    /// </summary>
    private static string Describe(Candidate c, string text, Guid? portalId, IReadOnlyDictionary<Guid, string> connectionNames)
    {
        if (c.Id == portalId && c.ExternalId != text && c.Name != text) return $"the VM whose portal ID it is ({c.Id})";
        var how = c.ExternalId == text ? "hypervisor ID" : "name";
        var connection = connectionNames.TryGetValue(c.ConnectionId, out var name) ? name : c.ConnectionId.ToString();
        return $"{c.Name} by {how} in connection '{connection}' (id {c.Id}, externalId {c.ExternalId}, connectionId {c.ConnectionId})";
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private sealed record Candidate(Guid Id, Guid ConnectionId, string ExternalId, string Name);
}
