using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// What a connection kind decides without calling its hypervisor, in the style of Forklift's provider adapter: its name,
/// the connection form and its validation, the wording of its safety copy, the concurrency limits it defines and what a
/// move costs in them. Keyed like the connector (<see cref="Kind"/>); pages and use cases read this instead of testing a
/// kind, so a new hypervisor is one connector plus one descriptor.
/// </summary>
public interface IConnectorDescriptor
{
    /// <summary>The connection kind, the key the connector is registered under.</summary>
    string Kind { get; }

    /// <summary>What people call the kind ("vSphere (vCenter)").</summary>
    string DisplayName { get; }

    /// <summary>Whether VMs can leave this kind by conversion (its connector is an <see cref="IConversionSource"/>): a conversion map may start here.</summary>
    bool ConvertsFrom => false;

    /// <summary>Whether converted VMs can arrive at this kind (its connector is an <see cref="IConversionDestination"/>): a conversion map may end here.</summary>
    bool ConvertsTo => false;

    /// <summary>False for a kind the portal creates itself (demo): administrators cannot add or edit its connections.</summary>
    bool AdministratorsAddConnections => true;

    /// <summary>The connection inputs the kind uses, in form order, with their labels and help.</summary>
    IReadOnlyList<ConnectionField> Fields { get; }

    /// <summary>Adds an error per bad input (keyed by <see cref="ConnectionInput"/> name) to <paramref name="check"/>; endpoint form first of all.</summary>
    void ValidateConnection(ConnectionFormInput input, Validation check);

    /// <summary>How the pre-migration safety copy is called on this kind.</summary>
    SafetyCopyWording SafetyCopy { get; }

    /// <summary>The concurrency limits and costs the kind defines, with their defaults; stored as rows keyed by (kind, resource).</summary>
    IReadOnlyList<LimitDefinition> Limits { get; }

    /// <summary>Cross-field rules on the kind's limit values (a cost that exceeds its budget would block every move).</summary>
    void ValidateLimits(IReadOnlyDictionary<string, int> values, Validation check) { }

    /// <summary>
    /// The units one move takes on the kind's hosts and datastores, read against the kind's limit values. The portal adds the
    /// portal-wide and per-connection demands itself.
    /// </summary>
    IEnumerable<ResourceDemand> DemandsOf(MoveDemand move, Func<string, int> limit);
}

/// <summary>The inputs of a connection, named as <c>SaveConnection.Command</c> names them so errors land beside their field.</summary>
public enum ConnectionInput
{
    Endpoint,
    Username,
    Secret,
    PinnedThumbprint,
    CaCertificatePem,
    ClientCertificatePem,
    ClientKeyPem,
}

/// <summary>
/// One field of a kind's connection form. <paramref name="WriteOnly"/> fields are never read back (a password, a key), so
/// on edit an empty value keeps the stored one and <paramref name="EditLabel"/> says so.
/// </summary>
public sealed record ConnectionField(ConnectionInput Input, string Label, string? HelpText = null, bool Required = false, bool WriteOnly = false,
    bool Multiline = false, string? EditLabel = null)
{
    public string Name => Input.ToString();
}

/// <summary>The connection form's values, as typed.</summary>
public sealed record ConnectionFormInput(string Endpoint, string? Username, string? Secret, string? PinnedThumbprint,
    string? CaCertificatePem, string? ClientCertificatePem, string? ClientKeyPem, bool IsNew)
{
    public string? this[ConnectionInput input] => input switch
    {
        ConnectionInput.Endpoint => Endpoint,
        ConnectionInput.Username => Username,
        ConnectionInput.Secret => Secret,
        ConnectionInput.PinnedThumbprint => PinnedThumbprint,
        ConnectionInput.CaCertificatePem => CaCertificatePem,
        ConnectionInput.ClientCertificatePem => ClientCertificatePem,
        ConnectionInput.ClientKeyPem => ClientKeyPem,
        _ => null,
    };
}

/// <summary>
/// The safety copy's words: <paramref name="Noun"/> names it with its platform, for a sentence about several kinds ("a snapshot (vSphere)"),
/// <paramref name="SwitchLabel"/> for the wizard's switch, <paramref name="Explanation"/> for the request page.
/// </summary>
public sealed record SafetyCopyWording(string Noun, string SwitchLabel, string Explanation);

/// <summary>One limit or cost a kind defines: its resource key (unique within the kind), label, help and default.</summary>
public sealed record LimitDefinition(string Resource, string Label, int Default, string? HelpText = null);

/// <summary>One limited resource a migration needs: how many units, out of how many.</summary>
public sealed record ResourceDemand(string Resource, string Label, int Units, int Limit);

/// <summary>
/// A move whose demands are asked for: the request, its VM's inventory row (null if gone) and its connection. Resource
/// keys a descriptor builds should start with its kind's own prefix and carry the connection ID (see <see cref="Scoped"/>).
/// A move between two connections (a conversion) is asked for twice, once per side: the source connection's descriptor
/// sees only the source host and datastores, the destination's only the target host and pools.
/// </summary>
public sealed record MoveDemand(MigrationRequest Request, InventoryVm? Vm, Connection Connection, MoveSide Side = MoveSide.Both)
{
    /// <summary>The source host's external ID, as the inventory knows it.</summary>
    public string? SourceHost => Side == MoveSide.Destination ? null : Vm?.HostExternalId;

    /// <summary>The source host's name for labels.</summary>
    public string? SourceHostName => Request.SourceHostName ?? SourceHost;

    /// <summary>The target host's external ID, if the move has one.</summary>
    public string? TargetHost => Side == MoveSide.Source ? null : Request.Target.HostId;

    public string? TargetHostName => Request.Target.HostName ?? Request.Target.HostId;

    /// <summary>The datastores (or pools) the move reads from or writes to on this side, each once.</summary>
    public IReadOnlyList<string> Datastores
    {
        get
        {
            var stores = Side == MoveSide.Destination ? []
                : (Request.SourceDatastoreName ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (Side != MoveSide.Source)
            {
                if (Request.Target.DatastoreName is { } target) stores.Add(target);
                // A conversion writes to the pools its storage map names, disk by disk, not to one target datastore.
                if (Request.Conversion is { } conversion) stores.AddRange(conversion.Storage.Select(s => s.TargetPool));
            }

            return stores.Distinct().ToList();
        }
    }

    /// <summary>A resource key scoped to this connection: <c>{prefix}:{connection}:{name}</c>.</summary>
    public string Scoped(string prefix, string name) => $"{prefix}:{Connection.Id}:{name}";
}

/// <summary>Which side of a move a descriptor is asked about: both for a move within one connection, else the source or the destination.</summary>
public enum MoveSide
{
    Both,
    Source,
    Destination,
}
