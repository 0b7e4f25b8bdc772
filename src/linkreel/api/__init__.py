"""The Creatify-compatible REST API (contract: ../shared/api-contract.md). Entry point: `api.app.create_app`."""
