SELECT account.id
FROM account
WHERE json_extract(account.changes, '$."fullname".updated_at') >= ?
ORDER BY
    account.name_updated_at DESC, json_extract(account.changes, '$."age".updated_at')
-- params:
--   param_1 = datetime.datetime(2024, 2, 29, 14, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=7200)))
