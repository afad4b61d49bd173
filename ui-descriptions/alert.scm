; alert.scm: an administrator's alert, shown to everyone signed in.
(popup name alert title (_ "Alert") (on cancel close)
  (label name from role heading)
  (label name text)
  (button name ok role primary text (_ "OK") (on click close)))
