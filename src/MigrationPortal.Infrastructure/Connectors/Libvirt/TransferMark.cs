using System.Globalization;
using System.Xml.Linq;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// The portal's mark on a domain, written into its metadata just before libvirt is asked to start a transfer:
/// <c>&lt;mpt:transfer xmlns:mpt="urn:migrationportal:transfer:1" request="…" operation="migrate|…" at="…"&gt;&lt;mpt:creates path="…"/&gt;…</c>.
/// libvirt keeps no history of who started a job, or when a finished one ran, so the mark is what lets a later run tell
/// "this request's transfer started (and here is its operation ID)" from "nothing of this request reached libvirt", and
/// what gates the clean-up of disk files to moves that really began. It travels with the domain in a migration (live and
/// persistent definitions), lives in a namespace of its own so the application tag (urn:migrationportal:1) is never
/// touched, and is replaced by the next transfer's mark.
/// </summary>
/// <param name="Creates">
/// The disk files the transfer will create (on the destination host, or in the target pool of a block copy) that did not
/// exist when it was marked. libvirt 9 keeps no statistics of a migration that failed or was aborted, so a file it
/// pre-created is the trace a started transfer leaves; and only these files are the move's to remove after a failure.
/// </param>
internal sealed record TransferMark(Guid RequestId, string OperationId, DateTimeOffset At, IReadOnlyList<string> Creates)
{
    public const string Namespace = "urn:migrationportal:transfer:1";
    private const string Key = "mpt";

    /// <summary>How far apart two portal nodes' clocks may be when the mark's time is compared with a recorded intent.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Marks the domain, in its live definition and (for a persistent domain) its persistent one, and drops libvirt's
    /// statistics of the last completed job (read without KEEP_COMPLETED): from here on, a completed migration job on the
    /// source is this transfer's, not an earlier one's.
    /// </summary>
    public void WriteTo(LibvirtDomain domain)
    {
        var xml = new XElement(XName.Get("transfer", Namespace),
            new XAttribute("request", RequestId.ToString("D")),
            new XAttribute("operation", OperationId),
            new XAttribute("at", At.ToString("O", CultureInfo.InvariantCulture)),
            Creates.Select(path => new XElement(XName.Get("creates", Namespace), new XAttribute("path", path)))).ToString(SaveOptions.DisableFormatting);
        var active = domain.State().IsActive();
        var flags = active ? LibvirtDomain.AffectLive : LibvirtDomain.AffectConfig;
        if (active && domain.IsPersistent()) flags |= LibvirtDomain.AffectConfig;
        domain.SetMetadata(xml, Key, Namespace, flags);
        if (active)
        {
            try
            {
                domain.GetJobStats(LibvirtDomain.JobStatsCompleted);
            }
            catch (LibvirtException)
            {
                // Nothing completed to drop (or a libvirt without completed statistics): nothing stale either.
            }
        }
    }

    /// <summary>The domain's mark, or null when it has none (or one the portal cannot read).</summary>
    public static TransferMark? ReadFrom(LibvirtDomain domain)
    {
        var xml = domain.Metadata(Namespace);
        if (xml is null) return null;
        // libvirt hands the element back with the prefix declared but the names unprefixed: match by local name.
        var root = XElement.Parse(xml);
        return Guid.TryParse(root.Attribute("request")?.Value, out var request)
            && root.Attribute("operation")?.Value is { Length: > 0 } operation
            && DateTimeOffset.TryParse(root.Attribute("at")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? new TransferMark(request, operation, at, root.Elements().Where(e => e.Name.LocalName == "creates").Select(e => e.Attribute("path")?.Value).OfType<string>().ToList())
            : null;
    }

    /// <summary>Whether this mark is the one a transfer of <paramref name="requestId"/> wrote after its intent (recorded at <paramref name="startedAfter"/>).</summary>
    public bool IsOf(Guid requestId, DateTimeOffset startedAfter) => RequestId == requestId && At >= startedAfter - ClockTolerance;

    public string Describe() => $"marked by request {RequestId} at {At:u}";
}
