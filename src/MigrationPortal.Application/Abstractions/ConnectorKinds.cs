using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MigrationPortal.Application.Abstractions;

/// <summary>The installed connection kinds, for pages and use cases: each kind's descriptor, looked up by kind.</summary>
public interface IConnectorKinds
{
    /// <summary>Every installed kind, in registration order.</summary>
    IReadOnlyList<IConnectorDescriptor> All { get; }

    /// <summary>The kind's descriptor, or null when no connector of that kind is installed.</summary>
    IConnectorDescriptor? Find(string? kind);

    /// <summary>The kind's descriptor; a connection of a kind no longer installed is a fault, not bad input.</summary>
    IConnectorDescriptor Get(string kind) => Find(kind) ?? throw new ConnectorException("UnsupportedConnectionKind", $"No connector is installed for connection kind '{kind}'.");
}

/// <summary>The registry: the descriptors registered by <see cref="ConnectorKindRegistration.AddConnectorKind{TConnector, TDescriptor}"/>.</summary>
public sealed class ConnectorKinds : IConnectorKinds
{
    private readonly Dictionary<string, IConnectorDescriptor> _byKind;

    public ConnectorKinds(IEnumerable<IConnectorDescriptor> descriptors)
    {
        All = descriptors.ToList();
        _byKind = All.ToDictionary(d => d.Kind, StringComparer.Ordinal);
    }

    public IReadOnlyList<IConnectorDescriptor> All { get; }

    public IConnectorDescriptor? Find(string? kind) => kind is not null && _byKind.TryGetValue(kind, out var d) ? d : null;
}

public static class ConnectorKindRegistration
{
    /// <summary>
    /// Installs a connection kind: its connector (keyed by the kind, one per scope) and its descriptor. This one line is all
    /// a new hypervisor adds outside its own folder.
    /// </summary>
    public static IServiceCollection AddConnectorKind<TConnector, TDescriptor>(this IServiceCollection services, string kind)
        where TConnector : class, IHypervisorConnector
        where TDescriptor : class, IConnectorDescriptor, new()
    {
        var descriptor = new TDescriptor();
        if (descriptor.Kind != kind) throw new InvalidOperationException($"{typeof(TDescriptor).Name} describes kind '{descriptor.Kind}', not '{kind}'.");
        if (!Domain.Inventory.ConnectionKinds.IsWellFormed(kind)) throw new InvalidOperationException($"'{kind}' is not a well-formed connection kind (lower-case letters, digits and hyphens).");
        if (kind == PortalLimits.Kind) throw new InvalidOperationException($"'{PortalLimits.Kind}' is reserved for the portal-wide limits.");
        services.AddKeyedScoped<IHypervisorConnector, TConnector>(kind);
        services.AddSingleton<IConnectorDescriptor>(descriptor);
        services.TryAddSingleton<IConnectorKinds, ConnectorKinds>();
        return services;
    }
}
