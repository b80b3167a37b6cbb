"""The operations a user runs — look up a country, measure the foundations, forecast,
backtest, run a scenario, keep the claims ledger, write a brief — each one function from a
typed request to a typed, serialisable result. The command line (and the web app) only
build the requests and render the results; no analytics of their own."""
