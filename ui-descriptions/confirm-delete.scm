; confirm-delete.scm: asked before one's own message is deleted. Answers yes or no.
(popup name confirm-delete title (_ "Delete message") (on cancel close no)
  (label name question text (_ "Delete this message?"))
  (hbox
    (button name yes role primary text (_ "Delete") (on click close yes))
    (button name no text (_ "Keep") (on click close no))))
