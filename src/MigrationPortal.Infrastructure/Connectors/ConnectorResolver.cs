using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors;

/// <summary>Connectors are registered as keyed services under their connection kind.</summary>
public sealed class ConnectorResolver(IServiceProvider services) : IConnectorResolver
{
    public IHypervisorConnector Resolve(string kind) =>
        services.GetKeyedService<IHypervisorConnector>(kind)
        ?? throw new ConnectorException("UnsupportedConnectionKind", $"No connector is installed for connection kind '{kind}'.");
}
