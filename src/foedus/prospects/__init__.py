"""Prospects: forecasting the formation of alliance pledges, with honest backtests."""
